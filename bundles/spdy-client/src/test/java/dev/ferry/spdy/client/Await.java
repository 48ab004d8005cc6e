package dev.ferry.spdy.client;

import static org.junit.Assert.fail;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

final class Await {

    private Await() {
    }

    /** Polls until {@code condition} holds; fails after {@code millis} with {@code state}'s description. */
    static void until(BooleanSupplier condition, long millis, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not reached within " + millis + " ms: " + state.get());
            }
            Thread.sleep(10);
        }
    }
}
