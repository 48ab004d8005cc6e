package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The first drop is reported at once, later ones at most once a minute, each report with the count since the last. */
public class DroppedLinesTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final long SECOND = 1_000_000_000L;
    /** An arbitrary start: System.nanoTime() may be negative. */
    private static final long T0 = -5 * SECOND;

    @Test
    public void atMostOneReportAMinute() {
        DroppedLines dropped = new DroppedLines();
        assertEquals("nothing dropped, nothing to report", 0, dropped.takeIfDue(T0));

        dropped.add();
        dropped.add();
        assertEquals(2, dropped.takeIfDue(T0));

        dropped.add();
        assertEquals(0, dropped.takeIfDue(T0 + 30 * SECOND));
        assertEquals(30 * SECOND, dropped.nanosUntilDue(T0 + 30 * SECOND));
        dropped.add();
        assertEquals(0, dropped.takeIfDue(T0 + 59 * SECOND));
        assertEquals("the two since the last report", 2, dropped.takeIfDue(T0 + 60 * SECOND));

        dropped.add();
        assertEquals(0, dropped.takeIfDue(T0 + 61 * SECOND));
        assertEquals("closing reports the rest", 1, dropped.takeAll());
        assertEquals(0, dropped.takeIfDue(T0 + 200 * SECOND));
        assertEquals(5, dropped.total());
    }
}
