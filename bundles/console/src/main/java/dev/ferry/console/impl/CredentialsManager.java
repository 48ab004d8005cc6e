package dev.ferry.console.impl;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Objects;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Felix Web Console's credentials in Config Admin secure: unless the user configured a password, the
 * console's configuration carries the hash of a generated password whose plain text lives in a {@link PasswordFile}.
 * <p>
 * A configuration is the user's when it has a {@code password} and lacks the {@link #GENERATED_MARKER} this class
 * writes; such a configuration is never touched. (Editing the console's own settings in the Web Console drops the
 * marker too, since it keeps only the properties it knows: from then on the user owns the password.)
 */
final class CredentialsManager {

    /** The Web Console's configuration PID ({@code OsgiManager}); keys {@code username} and {@code password}. */
    static final String WEBCONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    /** The Web Console's default user name; kept unless the configuration names another one. */
    static final String DEFAULT_USERNAME = "admin";
    /** Marks a configuration whose password this class generated. */
    static final String GENERATED_MARKER = "ferry.console.generated";

    /** What {@link #ensure()} found and did. */
    enum Outcome {
        /** No password anywhere: generated one, stored it in the file and its hash in the configuration. */
        GENERATED,
        /** The configuration lacked the file's password (first start, or the configuration was deleted): set it. */
        APPLIED,
        /** The configuration already carries the hash of the password in the file. */
        UNCHANGED,
        /** The user configured a password: left alone. */
        USER_MANAGED
    }

    private static final Logger LOG = LoggerFactory.getLogger(CredentialsManager.class);

    private final ConfigurationAdmin configAdmin;
    private final PasswordFile passwordFile;
    private final SecureRandom random;
    private Outcome last;

    CredentialsManager(ConfigurationAdmin configAdmin, PasswordFile passwordFile, SecureRandom random) {
        this.configAdmin = Objects.requireNonNull(configAdmin, "configAdmin");
        this.passwordFile = Objects.requireNonNull(passwordFile, "passwordFile");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Makes sure the Web Console has a non-default password: the user's, or the generated one. Idempotent; called at
     * activation and whenever the console's configuration changes or is deleted.
     */
    synchronized Outcome ensure() throws IOException {
        // Creates an empty configuration object if there is none; one without properties is never delivered.
        Configuration config = configAdmin.getConfiguration(WEBCONSOLE_PID, "?");
        Dictionary<String, Object> current = config.getProperties();
        String username = stringValue(current, USERNAME);
        if (username == null || username.isBlank()) {
            username = DEFAULT_USERNAME;
        }
        String password = stringValue(current, PASSWORD);
        boolean generatedBefore = current != null
                && Boolean.parseBoolean(String.valueOf(current.get(GENERATED_MARKER)));

        if (password != null && !password.isEmpty() && !generatedBefore) {
            if (last != Outcome.USER_MANAGED) {
                LOG.info("Web Console: user '{}' with a password configured by the user (PID {}); "
                        + "the generated password is not used", username, WEBCONSOLE_PID);
            }
            return last = Outcome.USER_MANAGED;
        }

        PasswordFile.Password stored = passwordFile.readOrCreate();
        Outcome outcome;
        if (stored.generated()) {
            outcome = Outcome.GENERATED;
        } else if (generatedBefore && PasswordHash.matches(password, stored.value())) {
            outcome = Outcome.UNCHANGED;
        } else {
            outcome = Outcome.APPLIED;
        }
        if (outcome != Outcome.UNCHANGED) {
            Dictionary<String, Object> updated = copy(current);
            updated.put(USERNAME, username);
            updated.put(PASSWORD, PasswordHash.hash(stored.value(), random));
            updated.put(GENERATED_MARKER, Boolean.TRUE);
            config.update(updated);
        }

        switch (outcome) {
            case GENERATED -> LOG.warn("Web Console: generated credentials - user '{}', password '{}' "
                    + "(stored in {}; this is the only time it is logged)",
                    username, stored.value(), passwordFile.path());
            case APPLIED -> LOG.info("Web Console: user '{}', the generated password (in {}) is set",
                    username, passwordFile.path());
            case UNCHANGED -> {
                if (last == null) {
                    LOG.info("Web Console: user '{}', the generated password is in {}", username, passwordFile.path());
                }
            }
            default -> throw new AssertionError(outcome);
        }
        return last = outcome;
    }

    Outcome lastOutcome() {
        synchronized (this) {
            return last;
        }
    }

    private static String stringValue(Dictionary<String, Object> props, String key) {
        Object value = props == null ? null : props.get(key);
        return value == null ? null : value.toString();
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> props) {
        Hashtable<String, Object> copy = new Hashtable<>();
        if (props != null) {
            for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                copy.put(key, props.get(key));
            }
        }
        return copy;
    }
}
