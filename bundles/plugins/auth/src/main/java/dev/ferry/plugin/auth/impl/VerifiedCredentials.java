package dev.ferry.plugin.auth.impl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Header values already verified, and the user each one proved: a keep-alive connection sends the same
 * {@code Proxy-Authorization} with every request, and hashing it again each time would cost 0.1 s of CPU per request.
 * Bounded (least recently used entries go first); an entry lasts {@code ttlNanos} and only while the users file it was
 * verified against is the one in force. Only successes are put here.
 *
 * <p>Keyed by a SHA-256 of the header value, not the value itself, so that this cache does not keep every password
 * in clear in the heap.
 */
final class VerifiedCredentials {

    private static final class Entry {
        final String user;
        final UsersFile verifiedAgainst;
        final long expiresNanos;

        Entry(String user, UsersFile verifiedAgainst, long expiresNanos) {
            this.user = user;
            this.verifiedAgainst = verifiedAgainst;
            this.expiresNanos = expiresNanos;
        }
    }

    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Entry> entries;

    VerifiedCredentials(int capacity, long ttlNanos, LongSupplier nanoTime) {
        this.capacity = capacity;
        this.ttlNanos = ttlNanos;
        this.nanoTime = nanoTime;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > VerifiedCredentials.this.capacity;
            }
        };
    }

    /** The cache key of a header value: its SHA-256, in base64. */
    static String key(String headerValue) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(headerValue.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The user {@code key} proved against {@code users}, or null. */
    synchronized String user(String key, UsersFile users) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.verifiedAgainst != users || nanoTime.getAsLong() - entry.expiresNanos >= 0) {
            entries.remove(key);
            return null;
        }
        return entry.user;
    }

    /** Remembers that {@code key} proved {@code user} against {@code users}. */
    synchronized void put(String key, String user, UsersFile users) {
        entries.put(key, new Entry(user, users, nanoTime.getAsLong() + ttlNanos));
    }

    synchronized void clear() {
        entries.clear();
    }

    synchronized int size() {
        return entries.size();
    }
}
