package dev.ferry.plugin.auth.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link AddUser} driven through standard input, as when there is no terminal. */
public class AddUserTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int addUser(Path file, String name, String stdin) {
        return AddUser.run(new String[] {file.toString(), name}, null,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new PasswordHasher(HookFixture.TEST_ITERATIONS));
    }

    private static boolean verifies(Path file, String name, String password) throws IOException {
        PasswordHash stored = UsersFile.read(file).passwordOf(name);
        return stored != null && new PasswordHasher(1).verify(password.toCharArray(), stored);
    }

    @Test
    public void aMissingFileIsCreatedReadableByItsOwnerOnly() throws Exception {
        Path file = folder.getRoot().toPath().resolve("etc/ferry-users");

        assertEquals(err.toString(), 0, addUser(file, "alice", "s3cret: \u00e4\n"));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0), lines.get(0).startsWith("alice:pbkdf2-sha256:1000:"));
        assertTrue(verifies(file, "alice", "s3cret: \u00e4"));
        assertTrue(out.toString(), out.toString().contains("User 'alice' added to " + file));
        assertEquals("", err.toString());
    }

    @Test
    public void anExistingUsersLineIsReplacedInPlaceAndTheRestKept() throws Exception {
        Path file = folder.getRoot().toPath().resolve("ferry-users");
        assertEquals(0, addUser(file, "alice", "one\n"));
        assertEquals(0, addUser(file, "bob", "two\r\n"));
        Files.write(file, List.of("# who may use the proxy"), java.nio.file.StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        assertEquals(0, addUser(file, "alice", "three"));

        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).startsWith("alice:"));
        assertTrue(lines.get(1).startsWith("bob:"));
        assertEquals("# who may use the proxy", lines.get(2));
        assertTrue(verifies(file, "alice", "three"));
        assertFalse(verifies(file, "alice", "one"));
        assertTrue("the carriage return is no part of the password", verifies(file, "bob", "two"));
        assertTrue(out.toString().contains("Password of user 'alice' changed in " + file));
        assertEquals("a replaced file keeps its permissions", "rw-r-----",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var leftovers = Files.list(folder.getRoot().toPath())) {
            assertEquals("no temporary file left behind", 1, leftovers.count());
        }
    }

    @Test
    public void aFileOthersCanReadIsWarnedAbout() throws Exception {
        Path file = folder.getRoot().toPath().resolve("ferry-users");
        Files.writeString(file, "");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertEquals(0, addUser(file, "alice", "pw\n"));

        assertTrue(err.toString(), err.toString().contains("other users can read"));
    }

    @Test
    public void badNamesEmptyPasswordsAndWrongArgumentsChangeNothing() {
        Path file = folder.getRoot().toPath().resolve("ferry-users");

        assertEquals(2, addUser(file, "al:ice", "pw\n"));
        assertEquals(2, addUser(file, "#alice", "pw\n"));
        assertEquals(2, addUser(file, " alice", "pw\n"));
        assertEquals(2, addUser(file, "", "pw\n"));
        assertEquals(2, addUser(file, "a\tb", "pw\n"));
        assertEquals(1, addUser(file, "alice", "\n"));
        assertEquals(1, addUser(file, "alice", ""));
        assertEquals(2, AddUser.run(new String[] {"only-one"}, null, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out), new PrintStream(err), new PasswordHasher(1)));

        assertFalse(Files.exists(file));
        assertTrue(err.toString(), err.toString().contains("a user name cannot contain ':'"));
        assertTrue(err.toString(), err.toString().contains("usage: AddUser <usersFile> <name>"));
    }
}
