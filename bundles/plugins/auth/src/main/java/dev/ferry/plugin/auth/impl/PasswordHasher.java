package dev.ferry.plugin.auth.impl;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes and verifies passwords with PBKDF2-HMAC-SHA256 from the JDK. Deliberately slow (about 0.1 s of CPU at the
 * default 210,000 iterations, OWASP's 2023 figure), so that a stolen users file is expensive to attack; for the same
 * reason it must never run on a proxy I/O thread. The JDK encodes the password as UTF-8 before hashing, as RFC 7617
 * clients with {@code charset="UTF-8"} send it.
 *
 * <p>Not final: tests observe on which thread, and how often, verification runs.
 */
class PasswordHasher {

    static final int DEFAULT_ITERATIONS = 210_000;
    static final int SALT_BYTES = 16;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";

    private final int iterations;
    private final SecureRandom random = new SecureRandom();

    /** @param iterations the cost of new hashes; verification uses the count stored with each hash */
    PasswordHasher(int iterations) {
        if (iterations < 1 || iterations > PasswordHash.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations " + iterations + " is not between 1 and "
                    + PasswordHash.MAX_ITERATIONS);
        }
        this.iterations = iterations;
    }

    int iterations() {
        return iterations;
    }

    /** A new hash of {@code password} with a fresh random salt. */
    PasswordHash hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /** Whether {@code password} matches {@code stored}, compared in constant time. */
    boolean verify(char[] password, PasswordHash stored) {
        byte[] derived = derive(password, stored.salt(), stored.iterations());
        try {
            return MessageDigest.isEqual(derived, stored.hash());
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
    }

    /**
     * Spends the time of one verification at {@code iterations}, for a user name that does not exist: so that the
     * answer's timing does not tell which names do.
     */
    void verifyUnknownUser(char[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Arrays.fill(derive(password, salt, iterations), (byte) 0);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, PasswordHash.HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            // every Java 17 runtime has it (it is among the JCA's required algorithms)
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        } finally {
            spec.clearPassword();
        }
    }
}
