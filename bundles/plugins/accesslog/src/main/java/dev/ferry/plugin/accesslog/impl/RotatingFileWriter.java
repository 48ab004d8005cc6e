package dev.ferry.plugin.accesslog.impl;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends lines to a log file (UTF-8, {@code \n} line ends) and rotates it by size like log4j's numbered rollover:
 * when a line would take the file past {@code maxFileBytes}, {@code file.<maxFiles>} is deleted, each
 * {@code file.<n>} becomes {@code file.<n+1>}, the file becomes {@code file.1} and a new file is started. A single
 * line longer than the limit gets a file of its own. With {@code maxFiles} 0 the full file is deleted instead. A
 * rotation that fails (a file held open elsewhere, a full disk) is logged and the lines go on into the current file;
 * the next attempt is another {@code maxFileBytes} later, so a lasting fault is one ERROR per file's worth of lines.
 * The limits may change while the file is written ({@link #limits}).
 *
 * <p>Only one writer may have a file open: two configurations naming the same file would interleave and rotate each
 * other's lines, so the second is refused. Used by one thread (the log's writer) after {@link #open}.
 */
final class RotatingFileWriter implements LineSink {

    /** The files open in this bundle, so that a second log of the same file is refused. */
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();
    private static final int BUFFER_CHARS = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(RotatingFileWriter.class);

    private final Path file;
    /** Set by the component's thread on a change, read by the writer's. */
    private volatile long maxFileBytes;
    private volatile int maxFiles;
    private Writer out;
    /** The file's size in bytes, as written (flushed or not). */
    private long size;
    /** Bytes written since a rotation failed; the next attempt waits for another maxFileBytes. */
    private long sinceFailedRotation = -1;
    private boolean closed;

    private RotatingFileWriter(Path file, long maxFileBytes, int maxFiles) {
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.maxFiles = maxFiles;
    }

    /**
     * Opens {@code file} for appending, creating it and its folders if needed.
     *
     * @throws IOException when it cannot, or when another log of this bundle has it open
     */
    static RotatingFileWriter open(Path file, long maxFileBytes, int maxFiles) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!OPEN.add(key)) {
            throw new IOException(key + " is already written by another access log; give each log a file of its own");
        }
        RotatingFileWriter writer = new RotatingFileWriter(key, maxFileBytes, maxFiles);
        try {
            writer.openFile();
            return writer;
        } catch (IOException | RuntimeException e) {
            OPEN.remove(key);
            throw e;
        }
    }

    Path file() {
        return file;
    }

    /** New limits, applied from the next line on. */
    void limits(long newMaxFileBytes, int newMaxFiles) {
        maxFileBytes = newMaxFileBytes;
        maxFiles = newMaxFiles;
    }

    @Override
    public void write(String line) throws IOException {
        long bytes = utf8Length(line) + 1;
        long limit = maxFileBytes;
        boolean retryDue = sinceFailedRotation < 0 || sinceFailedRotation + bytes > limit;
        if (size > 0 && size + bytes > limit && retryDue) {
            rotateOrKeepWriting();
        }
        if (out == null) {
            openFile(); // an earlier write or rotation failed and closed it
        }
        try {
            out.write(line);
            out.write('\n');
        } catch (IOException e) {
            closeQuietly(); // start again with a fresh stream (and the file's real size) at the next line
            throw e;
        }
        size += bytes;
        if (sinceFailedRotation >= 0) {
            sinceFailedRotation += bytes;
        }
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (out != null) {
                out.close();
            }
        } finally {
            out = null;
            OPEN.remove(file);
        }
    }

    private void openFile() throws IOException {
        if (closed) {
            throw new IOException(file + " is closed");
        }
        Path folder = file.getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
        // FileOutputStream, not Files.newOutputStream: an interrupted thread would close a channel under us
        out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(file.toFile(), true),
                StandardCharsets.UTF_8), BUFFER_CHARS);
        size = Files.size(file);
    }

    private void rotateOrKeepWriting() throws IOException {
        try {
            rotate();
            sinceFailedRotation = -1;
        } catch (IOException e) {
            LOG.error("Access log {}: could not rotate it ({}); writing on into it", file, e.toString());
            sinceFailedRotation = 0;
        }
    }

    private void rotate() throws IOException {
        Writer full = out;
        out = null;
        if (full != null) {
            full.close();
        }
        int keep = maxFiles;
        if (keep == 0) {
            Files.deleteIfExists(file);
            return;
        }
        Files.deleteIfExists(numbered(keep));
        for (int n = keep - 1; n >= 1; n--) {
            Path older = numbered(n);
            if (Files.exists(older)) {
                Files.move(older, numbered(n + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code file.<n>}, next to the file. */
    Path numbered(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    private void closeQuietly() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // the write already failed; that is the error reported
        } finally {
            out = null;
        }
    }

    /** The bytes {@code s} takes in UTF-8, counted without encoding it. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1; // a lone surrogate: the encoder writes '?'
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
