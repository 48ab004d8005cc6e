package dev.ferry.console.impl;

import static dev.ferry.console.impl.CredentialsManager.GENERATED_MARKER;
import static dev.ferry.console.impl.CredentialsManager.WEBCONSOLE_PID;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Hashtable;
import java.util.Map;

import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.ferry.console.impl.CredentialsManager.Outcome;

public class CredentialsManagerTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final FakeConfigurationAdmin cm = new FakeConfigurationAdmin();
    private final SecureRandom random = new SecureRandom();
    private Path passwordPath;

    @Before
    public void setUp() {
        passwordPath = tmp.getRoot().toPath().resolve("data").resolve(PasswordFile.FILE_NAME);
    }

    private CredentialsManager manager() {
        return new CredentialsManager(cm.service, new PasswordFile(passwordPath, random), random);
    }

    private String filePassword() throws Exception {
        return Files.readString(passwordPath).strip();
    }

    @Test
    public void firstStartGeneratesAPasswordAndStoresOnlyItsHash() throws Exception {
        assertEquals(Outcome.GENERATED, manager().ensure());

        Hashtable<String, Object> config = cm.get(WEBCONSOLE_PID);
        String password = filePassword();
        assertEquals("admin", config.get("username"));
        String stored = (String) config.get("password");
        assertTrue(stored, stored.startsWith("{sha-256}"));
        assertFalse("plain text never goes to Config Admin", stored.contains(password));
        assertTrue(PasswordHashTest.webConsoleMatches(stored, password));
        assertFalse(PasswordHashTest.webConsoleMatches(stored, "admin"));
        assertEquals(Boolean.TRUE, config.get(GENERATED_MARKER));
    }

    @Test
    public void restartReusesThePasswordWithoutTouchingTheConfiguration() throws Exception {
        manager().ensure();
        String password = filePassword();
        assertEquals(1, cm.updates(WEBCONSOLE_PID));

        CredentialsManager restarted = manager();
        assertEquals(Outcome.UNCHANGED, restarted.ensure());
        assertEquals(Outcome.UNCHANGED, restarted.ensure());
        assertEquals(1, cm.updates(WEBCONSOLE_PID));
        assertEquals(password, filePassword());
    }

    @Test
    public void ownUpdateEventIsANoOp() throws Exception {
        CredentialsManager manager = manager();
        manager.ensure();
        // the CM_UPDATED event caused by our own update comes back to the listener
        assertEquals(Outcome.UNCHANGED, manager.ensure());
        assertEquals(1, cm.updates(WEBCONSOLE_PID));
    }

    @Test
    public void userPasswordIsLeftAlone() throws Exception {
        cm.put(WEBCONSOLE_PID, new Hashtable<>(Map.of("username", "ops", "password", "{sha-256}abc",
                "felix.fileinstall.filename", "file:/conf/x.cfg")));

        assertEquals(Outcome.USER_MANAGED, manager().ensure());

        assertEquals(0, cm.updates(WEBCONSOLE_PID));
        assertEquals("{sha-256}abc", cm.get(WEBCONSOLE_PID).get("password"));
        assertFalse("no password file is made for a user-managed console", Files.exists(passwordPath));
    }

    @Test
    public void plainTextUserPasswordIsLeftAloneToo() throws Exception {
        // the Web Console hashes a plain password itself, in an update of its own
        cm.put(WEBCONSOLE_PID, new Hashtable<>(Map.of("password", "letmein")));
        assertEquals(Outcome.USER_MANAGED, manager().ensure());
        assertEquals("letmein", cm.get(WEBCONSOLE_PID).get("password"));
    }

    @Test
    public void userSettingsWithoutPasswordAreKeptAndGetTheGeneratedPassword() throws Exception {
        cm.put(WEBCONSOLE_PID, new Hashtable<>(Map.of("username", "ops", "manager.root", "/console")));

        assertEquals(Outcome.GENERATED, manager().ensure());

        Hashtable<String, Object> config = cm.get(WEBCONSOLE_PID);
        assertEquals("ops", config.get("username"));
        assertEquals("/console", config.get("manager.root"));
        assertTrue(PasswordHash.matches((String) config.get("password"), filePassword()));
    }

    @Test
    public void blankUserNameFallsBackToAdmin() throws Exception {
        cm.put(WEBCONSOLE_PID, new Hashtable<>(Map.of("username", " ")));
        manager().ensure();
        assertEquals("admin", cm.get(WEBCONSOLE_PID).get("username"));
    }

    @Test
    public void deletedConfigurationGetsTheSamePasswordBack() throws Exception {
        CredentialsManager manager = manager();
        manager.ensure();
        String password = filePassword();

        cm.delete(WEBCONSOLE_PID);
        assertEquals(Outcome.APPLIED, manager.ensure());

        assertEquals(password, filePassword());
        assertTrue(PasswordHash.matches((String) cm.get(WEBCONSOLE_PID).get("password"), password));
    }

    @Test
    public void userTakingOverAndGivingBack() throws Exception {
        CredentialsManager manager = manager();
        manager.ensure();
        String generated = filePassword();

        // e.g. saved from the Web Console's configuration page, which drops properties it does not know
        cm.put(WEBCONSOLE_PID, new Hashtable<>(Map.of("username", "admin", "password", "{sha-256}mine")));
        assertEquals(Outcome.USER_MANAGED, manager.ensure());
        assertEquals("{sha-256}mine", cm.get(WEBCONSOLE_PID).get("password"));

        cm.delete(WEBCONSOLE_PID);
        assertEquals(Outcome.APPLIED, manager.ensure());
        assertTrue(PasswordHash.matches((String) cm.get(WEBCONSOLE_PID).get("password"), generated));
    }

    @Test
    public void removedPasswordFileMeansANewPassword() throws Exception {
        manager().ensure();
        String old = filePassword();
        String oldHash = (String) cm.get(WEBCONSOLE_PID).get("password");

        Files.delete(passwordPath);
        assertEquals(Outcome.GENERATED, manager().ensure());

        String fresh = filePassword();
        assertNotEquals(old, fresh);
        String newHash = (String) cm.get(WEBCONSOLE_PID).get("password");
        assertTrue(PasswordHash.matches(newHash, fresh));
        assertFalse(PasswordHash.matches(newHash, old));
        assertNotEquals(oldHash, newHash);
    }

    @Test
    public void editedPasswordFileIsApplied() throws Exception {
        manager().ensure();
        Files.writeString(passwordPath, "chosen-by-the-operator\n");

        assertEquals(Outcome.APPLIED, manager().ensure());
        assertTrue(PasswordHash.matches((String) cm.get(WEBCONSOLE_PID).get("password"), "chosen-by-the-operator"));
    }
}
