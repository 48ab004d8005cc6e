package dev.ferry.fetch;

/** The end of the {@code --max-time} budget, measured from when the fetch started; or none. */
final class Deadline {

    private final long budgetNanos;
    private final long endNanos;

    private Deadline(long budgetNanos) {
        this.budgetNanos = budgetNanos;
        this.endNanos = System.nanoTime() + budgetNanos;
    }

    /** @param budgetNanos the whole fetch's budget, or 0 for no limit */
    static Deadline after(long budgetNanos) {
        return new Deadline(budgetNanos);
    }

    /** Nanoseconds left (0 when over), or Long.MAX_VALUE without a limit. */
    long remainingNanos() {
        if (budgetNanos == 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, endNanos - System.nanoTime());
    }

    /** The failure to report when the budget ran out {@code during} a step ("while connecting"). */
    FetchFailure expired(String during) {
        return FetchFailure.timedOut(budgetNanos, during);
    }
}
