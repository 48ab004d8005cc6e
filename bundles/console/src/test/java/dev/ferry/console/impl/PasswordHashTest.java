package dev.ferry.console.impl;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class PasswordHashTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    /**
     * The distribution's {@code felix.webconsole.password} framework property: the Web Console's fallback while no
     * configuration has arrived yet. It must match no password at all.
     */
    static final String LOCKED = "{sha-256}locked";

    private final SecureRandom random = new SecureRandom();

    @Test
    public void hashHasWebConsoleLayout() {
        String hash = PasswordHash.hash("secret", "0011223344556677", 1000);
        assertTrue(hash, hash.matches("\\{sha-256\\}0011223344556677-1000-[A-Za-z0-9+/]{43}="));
    }

    @Test
    public void matchesOnlyTheSamePassword() {
        String hash = PasswordHash.hash("secret", random);
        assertTrue(PasswordHash.matches(hash, "secret"));
        assertFalse(PasswordHash.matches(hash, "Secret"));
        assertFalse(PasswordHash.matches(hash, ""));
        assertFalse(PasswordHash.matches("secret", "secret"));
        assertFalse(PasswordHash.matches(null, "secret"));
        assertFalse(PasswordHash.matches("{sha-256}nonsense", "secret"));
        assertFalse(PasswordHash.matches("{sha-256}00-x-abc", "secret"));
    }

    @Test
    public void saltMakesEveryHashDifferent() {
        assertNotEquals(PasswordHash.hash("secret", random), PasswordHash.hash("secret", random));
    }

    @Test
    public void felixWebConsoleAcceptsTheHash() throws Exception {
        String hash = PasswordHash.hash("Zq8uN1xVh0aTk3LrW2pE", random);
        assertTrue(webConsoleMatches(hash, "Zq8uN1xVh0aTk3LrW2pE"));
        assertFalse(webConsoleMatches(hash, "admin"));
        assertFalse(webConsoleMatches(hash, hash));
    }

    @Test
    public void webConsoleHashesAreUnderstoodHere() throws Exception {
        // the other direction: a hash made by the Web Console itself (what it writes when given a plain password)
        Class<?> password = webConsolePasswordClass();
        Method hashPassword = password.getDeclaredMethod("hashPassword", String.class);
        hashPassword.setAccessible(true);
        String hash = (String) hashPassword.invoke(null, "s3cret");
        assertTrue(hash, PasswordHash.matches(hash, "s3cret"));
        assertFalse(PasswordHash.matches(hash, "s3cre"));
    }

    @Test
    public void lockedFallbackMatchesNothing() throws Exception {
        for (String attempt : new String[] {"admin", "", "locked", LOCKED, "{sha-256}locked"}) {
            assertFalse(attempt, webConsoleMatches(LOCKED, attempt));
        }
        // while the Web Console's own built-in default (OsgiManager.DEFAULT_PASSWORD in 5.0.18) really is "admin"
        assertTrue(webConsoleMatches("{sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=", "admin"));
    }

    private static Class<?> webConsolePasswordClass() throws ClassNotFoundException {
        return Class.forName("org.apache.felix.webconsole.internal.servlet.Password");
    }

    /** Asks the Web Console's own (package-private) Password class whether {@code attempt} matches {@code stored}. */
    static boolean webConsoleMatches(String stored, String attempt) throws Exception {
        Class<?> password = webConsolePasswordClass();
        Constructor<?> constructor = password.getDeclaredConstructor(String.class);
        constructor.setAccessible(true);
        Object instance = constructor.newInstance(stored);
        Method matches = password.getDeclaredMethod("matches", byte[].class);
        matches.setAccessible(true);
        return (Boolean) matches.invoke(instance, (Object) attempt.getBytes(StandardCharsets.UTF_8));
    }
}
