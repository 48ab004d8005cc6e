package dev.ferry.pac.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * A PAC script in a local file. A change is noticed by the file's modification time, size and identity (a script
 * replaced by an atomic move is another inode, even with the old time and size), so an unchanged file costs one
 * {@code stat} per check and is never read again.
 */
final class FilePacSource implements PacSource {

    private final Path file;
    private final int maxScriptBytes;
    private Stamp lastSeen;

    FilePacSource(Path file, int maxScriptBytes) {
        this.file = file.toAbsolutePath();
        this.maxScriptBytes = maxScriptBytes;
    }

    @Override
    public String location() {
        return file.toUri().toString();
    }

    @Override
    public String readIfChanged() throws IOException {
        try {
            return read();
        } catch (NoSuchFileException e) {
            throw new IOException("PAC script " + location() + " does not exist", e);
        }
    }

    private String read() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Stamp stamp = new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        if (stamp.equals(lastSeen)) {
            return null;
        }
        if (attributes.size() > maxScriptBytes) {
            lastSeen = stamp; // report an oversized file once, not at every check
            throw tooLarge(attributes.size());
        }
        byte[] bytes = Files.readAllBytes(file);
        lastSeen = stamp;
        if (bytes.length > maxScriptBytes) {
            throw tooLarge(bytes.length); // it grew between the stat and the read
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private IOException tooLarge(long size) {
        return new IOException("PAC script " + location() + " is " + size + " bytes, over maxScriptBytes "
                + maxScriptBytes);
    }

    private static final class Stamp {
        private final FileTime modified;
        private final long size;
        private final Object fileKey; // null where the file system has no such identity

        Stamp(FileTime modified, long size, Object fileKey) {
            this.modified = modified;
            this.size = size;
            this.fileKey = fileKey;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Stamp)) {
                return false;
            }
            Stamp other = (Stamp) o;
            return other.modified.equals(modified) && other.size == size && Objects.equals(other.fileKey, fileKey);
        }

        @Override
        public int hashCode() {
            return Objects.hash(modified, size, fileKey);
        }
    }
}
