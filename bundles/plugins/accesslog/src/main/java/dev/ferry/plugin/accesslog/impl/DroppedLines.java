package dev.ferry.plugin.accesslog.impl;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the lines a full queue refused, and says when to report them: at once the first time, then at most once a
 * minute, each report with the lines dropped since the one before. A burst that lasts costs one WARN a minute, not
 * one per line. {@link #add} is called by any thread; the rest by the log's writer thread only.
 */
final class DroppedLines {

    static final long REPORT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final AtomicLong unreported = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private boolean reportedBefore;
    private long lastReport;

    void add() {
        unreported.incrementAndGet();
        total.incrementAndGet();
    }

    /** Every line dropped so far. */
    long total() {
        return total.get();
    }

    boolean anyUnreported() {
        return unreported.get() > 0;
    }

    /**
     * The lines dropped since the last report, when a report is due at {@code nowNanos} (and then counted as
     * reported); 0 when none were dropped or the last report is less than a minute old.
     */
    long takeIfDue(long nowNanos) {
        if (unreported.get() == 0 || nanosUntilDue(nowNanos) > 0) {
            return 0;
        }
        reportedBefore = true;
        lastReport = nowNanos;
        return unreported.getAndSet(0);
    }

    /** How long until a report may be made; 0 when it may be made now. */
    long nanosUntilDue(long nowNanos) {
        return reportedBefore ? Math.max(0, lastReport + REPORT_INTERVAL_NANOS - nowNanos) : 0;
    }

    /** The lines not reported yet, counted as reported: for the last word when the log closes. */
    long takeAll() {
        return unreported.getAndSet(0);
    }
}
