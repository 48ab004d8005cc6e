package dev.ferry.fuzz;

import dev.ferry.testing.LeakCheck;

/**
 * {@link LeakCheck} after every fuzz input at the cost of a counter: the full check (a garbage collection, then
 * Netty's reports) runs only when more objects are tracked unreleased than after the last check. Netty's static
 * buffers stay tracked for good, so the plain check would collect garbage after every input.
 */
public final class LeakWatch {

    private final String where;
    private int settled = -1;

    public LeakWatch(String where) {
        LeakCheck.install();
        this.where = where;
    }

    /** Fails if the input just run leaked; call it once everything the input made has been released. */
    public void afterInput() {
        int now = LeakCheck.unreleased();
        if (now < 0 || now > settled) {
            LeakCheck.assertNoLeaks(where);
            settled = LeakCheck.unreleased();
        }
    }
}
