package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class JsonTextTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static String quoted(String text) {
        return JsonText.appendQuoted(new StringBuilder(), text).toString();
    }

    @Test
    public void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\"", quoted("a\"b\\c"));
        assertEquals("\"\\r\\n\\t\\b\\f\\u0000\\u001f\\u2028\"", quoted("\r\n\t\b\f\u0000\u001f\u2028"));
    }

    @Test
    public void leavesOtherTextAlone() {
        assertEquals("\"</td><script> é ${x} proxy => dest\"", quoted("</td><script> é ${x} proxy => dest"));
        assertEquals("\"\"", quoted(""));
    }
}
