package dev.ferry.console.impl;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file that keeps the generated Web Console password in plain text, readable by its owner only (mode 0600), so
 * that the operator can look it up again; Config Admin only ever sees its hash.
 * <p>
 * The file holds the password on its first line. A missing or empty file means "no password yet": a new one is
 * generated and written atomically (temporary file with mode 0600, then a rename).
 */
final class PasswordFile {

    static final String FILE_NAME = "console-password";

    /** 20 characters from a 62-character alphabet: about 119 bits. Letters and digits only, so copy-paste safe. */
    static final int PASSWORD_LENGTH = 20;

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private static final Logger LOG = LoggerFactory.getLogger(PasswordFile.class);

    /** The password in the file, and whether it was generated (and the file written) just now. */
    record Password(String value, boolean generated) {
        @Override
        public String toString() {
            return "Password[generated=" + generated + "]";
        }
    }

    private final Path path;
    private final SecureRandom random;

    PasswordFile(Path path, SecureRandom random) {
        this.path = Objects.requireNonNull(path, "path");
        this.random = Objects.requireNonNull(random, "random");
    }

    Path path() {
        return path;
    }

    /** Returns the stored password, generating and storing a new one if there is none. */
    Password readOrCreate() throws IOException {
        String existing = read();
        if (existing != null) {
            return new Password(existing, false);
        }
        String generated = generate();
        write(generated);
        return new Password(generated, true);
    }

    private String read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        restrictPermissions();
        String first = lines.isEmpty() ? "" : lines.get(0).strip();
        if (first.isEmpty()) {
            LOG.warn("{} is empty; generating a new Web Console password", path);
            return null;
        }
        return first;
    }

    /** Takes group and other access away from an existing file, e.g. one copied in with a permissive umask. */
    private void restrictPermissions() throws IOException {
        try {
            Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
            if (!OWNER_ONLY.containsAll(current)) {
                Files.setPosixFilePermissions(path, OWNER_ONLY);
                LOG.warn("{} was accessible to others ({}); changed its mode to 0600", path,
                        PosixFilePermissions.toString(current));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    private String generate() {
        StringBuilder sb = new StringBuilder(PASSWORD_LENGTH);
        for (int i = 0; i < PASSWORD_LENGTH; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    private void write(String password) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp;
        try {
            FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            tmp = Files.createTempFile(dir, "." + FILE_NAME, ".tmp", ownerOnly);
        } catch (UnsupportedOperationException e) {
            LOG.warn("{} is not on a POSIX file system; cannot restrict the password file to its owner", dir);
            tmp = Files.createTempFile(dir, "." + FILE_NAME, ".tmp");
        }
        boolean moved = false;
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(password);
                w.write('\n');
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
