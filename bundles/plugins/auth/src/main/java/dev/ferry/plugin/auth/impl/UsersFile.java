package dev.ferry.plugin.auth.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users of one reading of the users file: one user per line, {@code name:pbkdf2-sha256:<iterations>:<base64
 * salt>:<base64 hash>}; lines starting with {@code #} and blank lines are ignored. A malformed line is logged (one
 * ERROR naming the file and line number) and skipped, so that one bad edit does not lock every user out. Immutable;
 * each reading is a new instance, and cached verifications belong to the instance they were made against.
 */
final class UsersFile {

    private static final Logger LOG = LoggerFactory.getLogger(UsersFile.class);

    private final Path path;
    private final Stamp stamp;
    private final Map<String, PasswordHash> users;

    private UsersFile(Path path, Stamp stamp, Map<String, PasswordHash> users) {
        this.path = path;
        this.stamp = stamp;
        this.users = users;
    }

    /** What tells one version of the file from the next: an atomic replacement changes at least the file key. */
    static final class Stamp {
        private final long modifiedMillis;
        private final long size;
        private final Object fileKey;

        private Stamp(BasicFileAttributes attributes) {
            this.modifiedMillis = attributes.lastModifiedTime().toMillis();
            this.size = attributes.size();
            this.fileKey = attributes.fileKey();
        }

        static Stamp of(Path path) throws IOException {
            return new Stamp(Files.readAttributes(path, BasicFileAttributes.class));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stamp && ((Stamp) o).modifiedMillis == modifiedMillis && ((Stamp) o).size == size
                    && Objects.equals(((Stamp) o).fileKey, fileKey);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(modifiedMillis) * 31 + Long.hashCode(size);
        }
    }

    /**
     * Reads {@code path}. Blocking: never on a proxy I/O thread.
     *
     * @throws IOException when the file cannot be read at all (a missing file among them)
     */
    static UsersFile read(Path path) throws IOException {
        Stamp stamp = Stamp.of(path);
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon);
            try {
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("expected name:" + PasswordHash.SCHEME
                            + ":<iterations>:<salt>:<hash>");
                }
                PasswordHash hash = PasswordHash.parse(line.substring(colon + 1));
                if (users.putIfAbsent(name, hash) != null) {
                    throw new IllegalArgumentException("user '" + PasswordHash.printable(name)
                            + "' is already defined on an earlier line; this one is ignored");
                }
            } catch (IllegalArgumentException e) {
                LOG.error("{}, line {}: {}; line skipped", path, i + 1, e.getMessage());
            }
        }
        return new UsersFile(path, stamp, Collections.unmodifiableMap(users));
    }

    /** The stored password of {@code user}, or null when there is no such user. */
    PasswordHash passwordOf(String user) {
        return users.get(user);
    }

    /** The iteration count of the first user (to time a lookup of an unknown user alike), or the default. */
    int typicalIterations() {
        return users.isEmpty() ? PasswordHasher.DEFAULT_ITERATIONS : users.values().iterator().next().iterations();
    }

    int size() {
        return users.size();
    }

    Path path() {
        return path;
    }

    Stamp stamp() {
        return stamp;
    }

    @Override
    public String toString() {
        return path + " (" + users.size() + (users.size() == 1 ? " user)" : " users)");
    }
}
