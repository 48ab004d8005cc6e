package dev.ferry.plugin.auth.impl;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users file as last read, read again when it changes. Whether it changed is looked at (its modification time,
 * size and file key) at most once a second: a request that finds a look due {@linkplain #claimCheck claims} it, and
 * does it, with the reading, on the verification pool, never on the proxy I/O thread that claimed it.
 *
 * <p>A file that cannot be read any more (deleted, unreadable) keeps the users last read, with one ERROR until it
 * changes again: an editor that replaces the file may leave it missing for a moment.
 */
final class ReloadingUsers {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingUsers.class);
    private static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path path;
    private final LongSupplier nanoTime;
    private final AtomicLong nextCheckNanos;
    private volatile UsersFile current;
    /** The stamp of a version that failed to load, or of the missing file: not reported twice. */
    private Object lastFailure;

    private ReloadingUsers(Path path, LongSupplier nanoTime, UsersFile first) {
        this.path = path;
        this.nanoTime = nanoTime;
        this.current = first;
        this.nextCheckNanos = new AtomicLong(nanoTime.getAsLong() + CHECK_INTERVAL_NANOS);
    }

    /**
     * Reads the file for the first time. Blocking.
     *
     * @throws IllegalArgumentException naming the {@code usersFile} setting and the path, when it cannot be read
     */
    static ReloadingUsers open(Path path, LongSupplier nanoTime) {
        try {
            return new ReloadingUsers(path, nanoTime, UsersFile.read(path));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("usersFile: " + path + " does not exist; create it with"
                    + " bin/ferry-passwd <user>");
        } catch (IOException e) {
            throw new IllegalArgumentException("usersFile: cannot read " + path + ": " + e);
        }
    }

    /** The users as last read. */
    UsersFile current() {
        return current;
    }

    Path path() {
        return path;
    }

    /** Whether a look at the file is due; cheap, for the I/O thread. */
    boolean checkDue() {
        return nanoTime.getAsLong() - nextCheckNanos.get() >= 0;
    }

    /** Takes the look that is due, if no other request took it: then the caller must {@link #reloadIfChanged()}. */
    boolean claimCheck() {
        long next = nextCheckNanos.get();
        long now = nanoTime.getAsLong();
        return now - next >= 0 && nextCheckNanos.compareAndSet(next, now + CHECK_INTERVAL_NANOS);
    }

    /**
     * Reads the file again if it changed since it was last read. Blocking: on the verification pool.
     *
     * @return whether other users are now in force
     */
    synchronized boolean reloadIfChanged() {
        UsersFile.Stamp stamp;
        try {
            stamp = UsersFile.Stamp.of(path);
        } catch (IOException e) {
            reportOnce(e.getClass(), "{} cannot be read ({}); keeping its {} user(s) last read", path, e,
                    current.size());
            return false;
        }
        if (stamp.equals(current.stamp())) {
            lastFailure = null;
            return false;
        }
        if (stamp.equals(lastFailure)) {
            return false;
        }
        try {
            UsersFile next = UsersFile.read(path);
            current = next;
            lastFailure = null;
            LOG.info("Users file read again: {}", next);
            return true;
        } catch (IOException e) {
            reportOnce(stamp, "{} cannot be read ({}); keeping its {} user(s) last read", path, e, current.size());
            return false;
        }
    }

    private void reportOnce(Object failure, String message, Object... arguments) {
        if (!Objects.equals(failure, lastFailure)) {
            lastFailure = failure;
            LOG.error(message, arguments);
        }
    }

    @Override
    public String toString() {
        return current.toString();
    }
}
