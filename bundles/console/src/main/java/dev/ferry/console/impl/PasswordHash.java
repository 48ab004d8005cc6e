package dev.ferry.console.impl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Salted, iterated password hashes in the format the Felix Web Console (5.x, {@code Password}) accepts in its
 * {@code password} property: <code>{sha-256}&lt;salt hex&gt;-&lt;iterations&gt;-&lt;base64 digest&gt;</code>, where the
 * digest is SHA-256 applied {@code iterations} times to the UTF-8 bytes of {@code salt + password}.
 * <p>
 * The Web Console recognises a hashed value by its leading <code>{algorithm}</code> and otherwise treats the value as
 * plain text, so only the hash ever has to be stored in Config Admin.
 */
final class PasswordHash {

    static final String ALGORITHM = "sha-256";
    static final int ITERATIONS = 1000;
    static final int SALT_BYTES = 8;

    private static final String PREFIX = "{" + ALGORITHM + "}";
    private static final char DELIMITER = '-';

    private PasswordHash() {
    }

    /** Hashes {@code password} with a fresh random salt. */
    static String hash(String password, SecureRandom random) {
        Objects.requireNonNull(password, "password");
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return hash(password, HexFormat.of().formatHex(salt), ITERATIONS);
    }

    static String hash(String password, String salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1, was " + iterations);
        }
        if (salt.isEmpty() || salt.indexOf(DELIMITER) >= 0) {
            throw new IllegalArgumentException("salt must be non-empty and free of '" + DELIMITER + "': " + salt);
        }
        byte[] digest = digest(salt + password, iterations);
        return PREFIX + salt + DELIMITER + iterations + DELIMITER + Base64.getEncoder().encodeToString(digest);
    }

    /**
     * Whether {@code stored} is a hash written by {@link #hash(String, SecureRandom)} (same algorithm and layout)
     * and {@code password} is the password it was made from. Any other value, plain text included, gives false.
     */
    static boolean matches(String stored, String password) {
        if (stored == null || password == null || !stored.startsWith(PREFIX)) {
            return false;
        }
        String rest = stored.substring(PREFIX.length());
        int saltEnd = rest.indexOf(DELIMITER);
        int iterationsEnd = saltEnd < 0 ? -1 : rest.indexOf(DELIMITER, saltEnd + 1);
        if (saltEnd <= 0 || iterationsEnd < 0) {
            return false;
        }
        int iterations;
        try {
            iterations = Integer.parseInt(rest.substring(saltEnd + 1, iterationsEnd));
        } catch (NumberFormatException e) {
            return false;
        }
        if (iterations < 1 || iterations > 1_000_000) {
            return false;
        }
        String expected = hash(password, rest.substring(0, saltEnd), iterations);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                stored.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] digest(String input, int iterations) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < iterations; i++) {
                bytes = md.digest(bytes);
            }
            return bytes;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
