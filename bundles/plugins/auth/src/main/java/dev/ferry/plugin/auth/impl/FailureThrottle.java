package dev.ferry.plugin.auth.impl;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts failed authentication attempts per client address over a sliding window. An address whose failures in the
 * window reached {@code maxFailures} is refused before its password is looked at, so that guessing costs the proxy no
 * hashing, until the oldest of those failures leaves the window. Refused attempts do not count: a client that keeps
 * retrying is let in to try again once the window has passed.
 *
 * <p>At most {@value #MAX_ADDRESSES} addresses are remembered (the longest without a failure are forgotten first),
 * so that failures from many addresses cannot fill the memory.
 */
final class FailureThrottle {

    static final int MAX_ADDRESSES = 10_000;

    private final LongSupplier nanoTime;
    private int maxFailures;
    private long windowNanos;
    /** The times of each address's most recent failures (at most maxFailures), oldest first; access-ordered. */
    private final Map<String, ArrayDeque<Long>> failures = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Long>> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    FailureThrottle(int maxFailures, long windowNanos, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        reconfigure(maxFailures, windowNanos);
    }

    /** New limits; the failures counted so far stay. */
    synchronized void reconfigure(int maxFailures, long windowNanos) {
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
    }

    /** Whether {@code address} is refused now. */
    synchronized boolean blocked(String address) {
        ArrayDeque<Long> times = failures.get(address);
        if (times == null) {
            return false;
        }
        forgetExpired(times, nanoTime.getAsLong());
        if (times.isEmpty()) {
            failures.remove(address);
            return false;
        }
        return times.size() >= maxFailures;
    }

    /**
     * Counts a failure of {@code address}.
     *
     * @return whether this failure made the address refused
     */
    synchronized boolean recordFailure(String address) {
        long now = nanoTime.getAsLong();
        ArrayDeque<Long> times = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        forgetExpired(times, now);
        times.addLast(now);
        while (times.size() > maxFailures) {
            times.removeFirst();
        }
        if (failures.size() > MAX_ADDRESSES / 2) {
            forgetExpiredAddresses(now);
        }
        return times.size() >= maxFailures;
    }

    /** How many failures of {@code address} are in the window now. */
    synchronized int failures(String address) {
        ArrayDeque<Long> times = failures.get(address);
        if (times == null) {
            return 0;
        }
        forgetExpired(times, nanoTime.getAsLong());
        return times.size();
    }

    synchronized long windowSeconds() {
        return windowNanos / 1_000_000_000L;
    }

    private void forgetExpired(ArrayDeque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
            times.removeFirst();
        }
    }

    private void forgetExpiredAddresses(long now) {
        for (Iterator<ArrayDeque<Long>> it = failures.values().iterator(); it.hasNext();) {
            ArrayDeque<Long> times = it.next();
            forgetExpired(times, now);
            if (times.isEmpty()) {
                it.remove();
            }
        }
    }
}
