package dev.ferry.plugin.auth.impl;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One configuration of {@link BasicAuthHook}, checked as a whole so that a change is applied entirely or not at all.
 * Error messages start with the setting's name.
 */
final class AuthSettings {

    static final int MAX_FAILURES_LIMIT = 1_000;
    static final int WINDOW_SECONDS_LIMIT = 86_400;
    static final int VERIFY_THREADS_LIMIT = 64;

    final Path usersFile;
    final String realm;
    /** Empty: every listener. */
    final Set<String> listeners;
    final int maxFailures;
    final int failureWindowSeconds;
    final int verifyThreads;

    private AuthSettings(Path usersFile, String realm, Set<String> listeners, int maxFailures,
            int failureWindowSeconds, int verifyThreads) {
        this.usersFile = usersFile;
        this.realm = realm;
        this.listeners = listeners;
        this.maxFailures = maxFailures;
        this.failureWindowSeconds = failureWindowSeconds;
        this.verifyThreads = verifyThreads;
    }

    /**
     * @param home what a relative {@code usersFile} is relative to
     * @throws IllegalArgumentException naming the setting and what is wrong with it
     */
    static AuthSettings parse(BasicAuthHook.Config config, Path home) {
        return new AuthSettings(usersFile(config.usersFile(), home), realm(config.realm()),
                listeners(config.listeners()),
                range("maxFailures", config.maxFailures(), 1, MAX_FAILURES_LIMIT),
                range("failureWindowSeconds", config.failureWindowSeconds(), 1, WINDOW_SECONDS_LIMIT),
                range("verifyThreads", config.verifyThreads(), 1, VERIFY_THREADS_LIMIT));
    }

    /** Whether requests on {@code listener} must authenticate. */
    boolean checks(String listener) {
        return listeners.isEmpty() || listeners.contains(listener);
    }

    /** The {@code Proxy-Authenticate} value. */
    String challenge() {
        return "Basic realm=\"" + realm + "\", charset=\"UTF-8\"";
    }

    private static Path usersFile(String value, Path home) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("usersFile is empty: give the path of the users file");
        }
        try {
            return home.resolve(value.strip()).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("usersFile '" + PasswordHash.printable(value) + "' is not a path: "
                    + e.getReason());
        }
    }

    /** The realm is sent inside a quoted string: no quote, backslash, control or non-ASCII character. */
    private static String realm(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("realm is empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                throw new IllegalArgumentException("realm '" + PasswordHash.printable(value)
                        + "' has a quote, backslash, control or non-ASCII character at index " + i);
            }
        }
        return value;
    }

    /**
     * Entries are also split at commas: an untyped configuration file gives {@code listeners = a, b} as one string,
     * and reading that as one listener named "a, b" would silently leave both listeners without authentication.
     */
    private static Set<String> listeners(String[] values) {
        Set<String> names = new LinkedHashSet<>();
        if (values != null) {
            for (String value : values) {
                if (value == null) {
                    continue;
                }
                for (String name : value.split(",")) {
                    if (!name.isBlank()) {
                        names.add(name.strip());
                    }
                }
            }
        }
        return Collections.unmodifiableSet(names);
    }

    private static int range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is " + value + ", must be between " + min + " and " + max);
        }
        return value;
    }

    @Override
    public String toString() {
        return "users " + usersFile + ", realm \"" + realm + "\", "
                + (listeners.isEmpty() ? "every listener" : "listeners " + listeners) + ", at most " + maxFailures
                + " failures per address in " + failureWindowSeconds + " s, " + verifyThreads
                + " verification thread(s)";
    }
}
