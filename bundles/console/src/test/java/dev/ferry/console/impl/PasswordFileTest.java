package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PasswordFileTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void generatesOnceWithOwnerOnlyMode() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("data/console-password");
        PasswordFile file = new PasswordFile(path, new SecureRandom());

        PasswordFile.Password first = file.readOrCreate();
        assertTrue(first.generated());
        assertTrue(first.value(), first.value().matches("[A-Za-z0-9]{20}"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertEquals(first.value() + "\n", Files.readString(path));

        PasswordFile.Password again = new PasswordFile(path, new SecureRandom()).readOrCreate();
        assertFalse(again.generated());
        assertEquals(first.value(), again.value());
        try (var files = Files.list(path.getParent())) {
            assertEquals("no temporary files left behind", 1, files.count());
        }
    }

    @Test
    public void keepsAPasswordTheOperatorWroteAndTightensItsMode() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("console-password");
        Files.writeString(path, "  my own password \n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));

        PasswordFile.Password read = new PasswordFile(path, new SecureRandom()).readOrCreate();
        assertFalse(read.generated());
        assertEquals("my own password", read.value());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
    }

    @Test
    public void replacesAnEmptyFile() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("console-password");
        Files.writeString(path, "\n");
        PasswordFile.Password read = new PasswordFile(path, new SecureRandom()).readOrCreate();
        assertTrue(read.generated());
        assertNotEquals("", read.value());
        assertEquals(read.value() + "\n", Files.readString(path));
    }

    @Test
    public void toStringDoesNotRevealThePassword() {
        PasswordFile.Password p = new PasswordFile.Password("hunter2hunter2", true);
        assertFalse(p.toString().contains("hunter2"));
    }
}
