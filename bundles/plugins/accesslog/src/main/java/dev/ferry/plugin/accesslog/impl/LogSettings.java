package dev.ferry.plugin.accesslog.impl;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * One log's configuration, checked: the format, the file (absolute), when and how far to rotate it, how many lines
 * may wait for the writer and how often it takes them, and the hook's ranking. Immutable.
 */
final class LogSettings {

    static final long MIN_FILE_BYTES = 1;
    static final int MAX_FILES_LIMIT = 1000;
    /** Above this the queue is no longer a buffer for bursts but a way to run out of memory. */
    static final int MAX_QUEUE_LINES = 1_000_000;
    /** A second between rounds is as long as a line should wait on a busy proxy. */
    static final int MAX_ROUND_MILLIS = 1000;

    final LineFormat format;
    final Path file;
    final long maxFileBytes;
    final int maxFiles;
    final int queueLines;
    final int roundMillis;
    final int ranking;

    private LogSettings(LineFormat format, Path file, long maxFileBytes, int maxFiles, int queueLines,
            int roundMillis, int ranking) {
        this.format = format;
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.maxFiles = maxFiles;
        this.queueLines = queueLines;
        this.roundMillis = roundMillis;
        this.ranking = ranking;
    }

    /**
     * @param home the folder a relative {@code file} is relative to
     * @throws IllegalArgumentException naming the setting and what is wrong with it
     */
    static LogSettings parse(AccessLogHook.Config config, Path home) {
        LineFormat format = LineFormat.parse(config.format());
        String file = config.file() == null || config.file().isBlank()
                ? "data/log/access-" + format.setting() + ".log" : config.file().trim();
        Path path;
        try {
            path = home.resolve(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("file '" + file + "' is not a path: " + e.getMessage(), e);
        }
        if (path.getFileName() == null) {
            throw new IllegalArgumentException("file '" + file + "' names no file");
        }
        if (config.maxFileBytes() < MIN_FILE_BYTES) {
            throw new IllegalArgumentException("maxFileBytes must be at least " + MIN_FILE_BYTES + ", not "
                    + config.maxFileBytes());
        }
        if (config.maxFiles() < 0 || config.maxFiles() > MAX_FILES_LIMIT) {
            throw new IllegalArgumentException("maxFiles must be 0 to " + MAX_FILES_LIMIT + ", not "
                    + config.maxFiles());
        }
        if (config.queueLines() < 1 || config.queueLines() > MAX_QUEUE_LINES) {
            throw new IllegalArgumentException("queueLines must be 1 to " + MAX_QUEUE_LINES + ", not "
                    + config.queueLines());
        }
        if (config.roundMillis() < 1 || config.roundMillis() > MAX_ROUND_MILLIS) {
            throw new IllegalArgumentException("roundMillis must be 1 to " + MAX_ROUND_MILLIS + ", not "
                    + config.roundMillis());
        }
        return new LogSettings(format, path, config.maxFileBytes(), config.maxFiles(), config.queueLines(),
                config.roundMillis(), config.service_ranking());
    }

    /** bin/ferry does not change directory; it names the distribution's folder in {@code ferry.home}. */
    static Path home() {
        String home = System.getProperty("ferry.home");
        return Path.of(home == null || home.isBlank() ? "" : home).toAbsolutePath();
    }

    @Override
    public String toString() {
        return format + " to " + file + " (rotated at " + maxFileBytes + " bytes, " + maxFiles + " kept, queue of "
                + queueLines + " lines, written every " + roundMillis + " ms while busy, service.ranking " + ranking + ")";
    }
}
