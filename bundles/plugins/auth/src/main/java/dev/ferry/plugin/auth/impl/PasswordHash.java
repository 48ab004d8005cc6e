package dev.ferry.plugin.auth.impl;

import java.util.Base64;

/**
 * A stored password: the PBKDF2-HMAC-SHA256 iteration count, salt and derived hash, as the part of a users-file line
 * after the name: {@code pbkdf2-sha256:<iterations>:<base64 salt>:<base64 hash>}.
 */
final class PasswordHash {

    static final String SCHEME = "pbkdf2-sha256";
    static final int HASH_BYTES = 32;

    /**
     * Far above any sensible setting (the default is 210,000): a line with more would make each verification take
     * minutes of CPU, so it is refused as malformed rather than trusted.
     */
    static final int MAX_ITERATIONS = 10_000_000;

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    PasswordHash(int iterations, byte[] salt, byte[] hash) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iteration count " + iterations + " is not between 1 and "
                    + MAX_ITERATIONS);
        }
        if (salt.length == 0) {
            throw new IllegalArgumentException("empty salt");
        }
        if (hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("the hash is " + hash.length + " bytes, not " + HASH_BYTES);
        }
        this.iterations = iterations;
        this.salt = salt.clone();
        this.hash = hash.clone();
    }

    /**
     * @param stored {@code pbkdf2-sha256:<iterations>:<base64 salt>:<base64 hash>}
     * @throws IllegalArgumentException saying what is wrong (never repeating the hash)
     */
    static PasswordHash parse(String stored) {
        String[] fields = stored.split(":", -1);
        if (fields.length != 4) {
            throw new IllegalArgumentException("expected " + SCHEME + ":<iterations>:<salt>:<hash>, found "
                    + fields.length + " field(s)");
        }
        if (!SCHEME.equals(fields[0])) {
            throw new IllegalArgumentException("unknown hash scheme '" + printable(fields[0]) + "', expected "
                    + SCHEME);
        }
        int iterations;
        try {
            iterations = Integer.parseInt(fields[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iteration count '" + printable(fields[1]) + "' is not a number");
        }
        return new PasswordHash(iterations, base64(fields[2], "salt"), base64(fields[3], "hash"));
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not base64");
        }
    }

    int iterations() {
        return iterations;
    }

    byte[] salt() {
        return salt.clone();
    }

    byte[] hash() {
        return hash.clone();
    }

    /** The stored form, as parsed by {@link #parse}. */
    String format() {
        Base64.Encoder encoder = Base64.getEncoder();
        return SCHEME + ":" + iterations + ":" + encoder.encodeToString(salt) + ":" + encoder.encodeToString(hash);
    }

    /** Text with control characters escaped, so that an error message stays on one log line. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 80));
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 80 ? out + "..." : out.toString();
    }

    /** The scheme and cost only: the salt and hash are not for logs. */
    @Override
    public String toString() {
        return SCHEME + ":" + iterations;
    }
}
