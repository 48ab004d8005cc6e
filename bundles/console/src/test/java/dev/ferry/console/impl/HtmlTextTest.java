package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class HtmlTextTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void escapesMarkupQuotesAndTheConsoleVariableSyntax() {
        assertEquals("&lt;/td&gt;&lt;script&gt;", HtmlText.escape("</td><script>"));
        assertEquals("&quot;&#39;&amp;amp;", HtmlText.escape("\"'&amp;"));
        assertEquals("&#36;{brand.name} &#92;&#36;", HtmlText.escape("${brand.name} \\$"));
    }

    @Test
    public void replacesControlCharactersButKeepsWhiteSpaceAndText() {
        assertEquals("a&#xfffd;b\tc\nd é", HtmlText.escape("a\u0001b\tc\nd é"));
    }
}
