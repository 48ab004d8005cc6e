package dev.ferry.plugin.auth.impl;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.util.Base64;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class PasswordHasherTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final PasswordHasher hasher = new PasswordHasher(HookFixture.TEST_ITERATIONS);

    @Test
    public void aHashVerifiesItsPasswordAfterARoundTripThroughItsStoredForm() {
        PasswordHash hash = hasher.hash("correct horse".toCharArray());

        String stored = hash.format();
        assertTrue(stored, stored.startsWith("pbkdf2-sha256:1000:"));
        PasswordHash parsed = PasswordHash.parse(stored);
        assertEquals(PasswordHasher.SALT_BYTES, parsed.salt().length);
        assertEquals(PasswordHash.HASH_BYTES, parsed.hash().length);
        assertTrue(hasher.verify("correct horse".toCharArray(), parsed));
        assertEquals(stored, parsed.format());
    }

    @Test
    public void aWrongPasswordDoesNotVerify() {
        PasswordHash hash = hasher.hash("correct horse".toCharArray());

        assertFalse(hasher.verify("correct hors".toCharArray(), hash));
        assertFalse(hasher.verify("Correct horse".toCharArray(), hash));
        assertFalse(hasher.verify(new char[0], hash));
    }

    @Test
    public void eachHashHasItsOwnSalt() {
        PasswordHash first = hasher.hash("same".toCharArray());
        PasswordHash second = hasher.hash("same".toCharArray());

        assertNotEquals(first.format(), second.format());
    }

    @Test
    public void verificationUsesTheIterationCountStoredWithTheHash() {
        PasswordHash strong = new PasswordHasher(2_000).hash("pw".toCharArray());

        assertTrue("a hasher for new hashes at 1,000 verifies one made at 2,000",
                hasher.verify("pw".toCharArray(), strong));
        PasswordHash weakened = new PasswordHash(1_000, strong.salt(), strong.hash());
        assertFalse(hasher.verify("pw".toCharArray(), weakened));
    }

    @Test
    public void nonAsciiPasswordsAreHashedAsUtf8() {
        char[] password = "p\u00e4ssw\u00f6rd \u20ac\ud83d\udd11".toCharArray();
        PasswordHash hash = hasher.hash(password);

        assertTrue(hasher.verify(password.clone(), hash));
        assertFalse(hasher.verify("passwoerd \u20ac\ud83d\udd11".toCharArray(), hash));
    }

    @Test
    public void malformedStoredFormsAreRefusedWithoutRepeatingTheHash() {
        String salt = Base64.getEncoder().encodeToString(new byte[16]);
        String hash = Base64.getEncoder().encodeToString(new byte[32]);

        assertTrue(error("md5:1000:" + salt + ":" + hash).contains("unknown hash scheme 'md5'"));
        assertTrue(error("pbkdf2-sha256:many:" + salt + ":" + hash).contains("'many' is not a number"));
        assertTrue(error("pbkdf2-sha256:0:" + salt + ":" + hash).contains("iteration count 0"));
        assertTrue(error("pbkdf2-sha256:2000000000:" + salt + ":" + hash).contains("not between 1 and"));
        assertTrue(error("pbkdf2-sha256:1000:" + salt).contains("found 3 field(s)"));
        assertTrue(error("pbkdf2-sha256:1000:" + salt + ":not*base64").contains("the hash is not base64"));
        assertTrue(error("pbkdf2-sha256:1000::" + hash).contains("empty salt"));
        assertTrue(error("pbkdf2-sha256:1000:" + salt + ":" + salt).contains("16 bytes, not 32"));
        assertFalse(new PasswordHash(1000, new byte[16], new byte[32]).toString().contains(hash));
    }

    @Test
    public void theCostOfNewHashesIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(0));
        assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(PasswordHash.MAX_ITERATIONS + 1));
        assertEquals(210_000, PasswordHasher.DEFAULT_ITERATIONS);
        assertArrayEquals(new byte[32], new PasswordHash(1, new byte[1], new byte[32]).hash());
    }

    private static String error(String stored) {
        return assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(stored)).getMessage();
    }
}
