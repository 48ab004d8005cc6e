package dev.ferry.resolver.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class WildcardPatternTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void starsAndQuestionMarks() {
        Object[][] table = {
            {"example.com", "example.com", true},
            {"example.com", "example.co", false},
            {"example.com", "example.comm", false},
            {"*.example.com", "a.example.com", true},
            {"*.example.com", "a.b.example.com", true},
            {"*.example.com", ".example.com", true},
            {"*.example.com", "example.com", false},
            {"*", "", true},
            {"", "", true},
            {"", "a", false},
            {"a*b*c", "abc", true},
            {"a*b*c", "aXbYc", true},
            {"a*b*c", "aXbYcZ", false},
            {"a*b*c", "acb", false},
            {"*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
            {"?", "a", true},
            {"?", "", false},
            {"h?st*", "host.test", true},
            {"h?st*", "hst.test", false},
            {"**.test", "a.test", true},
        };
        for (Object[] row : table) {
            assertEquals(row[0] + " ~ " + row[1], row[2], new WildcardPattern((String) row[0]).matches((String) row[1]));
        }
    }
}
