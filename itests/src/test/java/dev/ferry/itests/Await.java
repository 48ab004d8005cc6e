package dev.ferry.itests;

import java.util.concurrent.Callable;

/** Bounded polling for things that happen some time after the test's action: a log line, a status entry. */
final class Await {

    private static final long POLL_MILLIS = 50;

    private Await() {
    }

    /**
     * Calls {@code probe} until it returns something other than null and returns that; fails the test after
     * {@code timeoutMillis}, naming {@code what} and the last exception the probe threw.
     */
    static <T> T until(String what, long timeoutMillis, Callable<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Exception last = null;
        while (true) {
            try {
                T value = probe.call();
                if (value != null) {
                    return value;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError failure = new AssertionError("waited " + timeoutMillis + " ms for " + what);
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
