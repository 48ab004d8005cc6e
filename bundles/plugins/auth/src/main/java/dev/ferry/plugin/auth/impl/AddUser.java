package dev.ferry.plugin.auth.impl;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Adds a user to a users file, or changes a user's password: {@code AddUser <usersFile> <name>} (what
 * {@code bin/ferry-passwd} runs). The password is asked twice on the terminal; without one (a pipe), it is the first
 * line of standard input. The file is rewritten whole into a temporary file beside it and moved over it, so a running
 * proxy reads either the old or the new file, never half of one. A new file is readable by its owner only (600); a
 * replaced one keeps its permissions.
 *
 * <p>Exit status: 0 done, 1 failed, 2 wrong command line.
 */
public final class AddUser {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** The two passwords typed on the terminal differ. */
    private static final class PasswordMismatchException extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private AddUser() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.console(), System.in, System.out, System.err,
                new PasswordHasher(PasswordHasher.DEFAULT_ITERATIONS)));
    }

    /** @param console the terminal, or null to read the password from {@code stdin} */
    static int run(String[] args, Console console, InputStream stdin, PrintStream out, PrintStream err,
            PasswordHasher hasher) {
        if (args.length != 2) {
            err.println("usage: AddUser <usersFile> <name>");
            return 2;
        }
        String name = args[1];
        String problem = nameProblem(name);
        if (problem != null) {
            err.println("ferry-passwd: " + problem);
            return 2;
        }
        Path file;
        try {
            file = Path.of(args[0]).toAbsolutePath();
        } catch (InvalidPathException e) {
            err.println("ferry-passwd: '" + args[0] + "' is not a path: " + e.getReason());
            return 2;
        }
        char[] password = null;
        try {
            password = console != null ? fromConsole(console, name) : firstLine(stdin);
            if (password.length == 0) {
                err.println("ferry-passwd: empty password; nothing changed");
                return 1;
            }
            boolean replaced = write(file, name + ":" + hasher.hash(password).format());
            out.println((replaced ? "Password of user '" + name + "' changed in " : "User '" + name + "' added to ")
                    + file);
            warnIfOthersCanRead(file, err);
            return 0;
        } catch (PasswordMismatchException e) {
            err.println("ferry-passwd: the passwords differ; nothing changed");
            return 1;
        } catch (IOException e) {
            err.println("ferry-passwd: cannot write " + file + ": " + e);
            return 1;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** Why {@code name} cannot be a user name (what the users file and RFC 7617 allow), or null. */
    static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "empty user name";
        }
        if (name.indexOf(':') >= 0) {
            return "a user name cannot contain ':'";
        }
        if (name.startsWith("#")) {
            return "a user name cannot start with '#' (that makes a comment line)";
        }
        if (Character.isWhitespace(name.charAt(0)) || Character.isWhitespace(name.charAt(name.length() - 1))) {
            return "a user name cannot start or end with white space";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "a user name cannot contain control characters";
            }
        }
        return null;
    }

    private static char[] fromConsole(Console console, String name) throws PasswordMismatchException, IOException {
        char[] first = console.readPassword("Password for %s: ", name);
        char[] second = first == null ? null : console.readPassword("Again: ");
        if (first == null || second == null) {
            throw new IOException("no password read from the terminal");
        }
        try {
            if (!Arrays.equals(first, second)) {
                Arrays.fill(first, '\0');
                throw new PasswordMismatchException();
            }
            return first;
        } finally {
            Arrays.fill(second, '\0');
        }
    }

    /** The first line, without its end, read into a char[] (never a String, which cannot be wiped). */
    private static char[] firstLine(InputStream stdin) throws IOException {
        Reader reader = new InputStreamReader(stdin, StandardCharsets.UTF_8);
        char[] line = new char[64];
        int length = 0;
        for (int c; (c = reader.read()) >= 0 && c != '\n';) {
            if (length == line.length) {
                char[] longer = Arrays.copyOf(line, length * 2);
                Arrays.fill(line, '\0');
                line = longer;
            }
            line[length++] = (char) c;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        char[] password = Arrays.copyOf(line, length);
        Arrays.fill(line, '\0');
        return password;
    }

    /**
     * Replaces {@code name}'s line (the first; later ones for the same name go) or appends {@code entry}.
     *
     * @return whether the user was there already
     */
    private static boolean write(Path file, String entry) throws IOException {
        // a symbolic link stays one: the file it points to is replaced
        Path target = Files.exists(file) ? file.toRealPath() : file;
        Path folder = target.getParent();
        Files.createDirectories(folder);
        String name = entry.substring(0, entry.indexOf(':'));
        List<String> lines = new ArrayList<>();
        boolean replaced = false;
        if (Files.exists(target)) {
            for (String line : Files.readAllLines(target, StandardCharsets.UTF_8)) {
                if (!name.equals(nameOf(line))) {
                    lines.add(line);
                } else if (!replaced) {
                    lines.add(entry);
                    replaced = true;
                }
            }
        }
        if (!replaced) {
            lines.add(entry);
        }
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] ownerOnly = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path temporary = Files.createTempFile(folder, ".ferry-users", ".tmp", ownerOnly);
        try {
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            if (posix && Files.exists(target)) {
                Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return replaced;
    }

    /** The user a users-file line is about, as the proxy reads it, or null for comments and blank lines. */
    private static String nameOf(String line) {
        String stripped = line.strip();
        int colon = stripped.indexOf(':');
        return stripped.isEmpty() || stripped.startsWith("#") || colon < 0 ? null : stripped.substring(0, colon);
    }

    private static void warnIfOthersCanRead(Path file, PrintStream err) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            err.println("ferry-passwd: warning: other users can read " + file + "; consider: chmod 600 " + file);
        }
    }
}
