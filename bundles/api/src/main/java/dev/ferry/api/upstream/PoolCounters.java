package dev.ferry.api.upstream;

import java.util.Objects;

/** A snapshot of one pool's counters, for the console and tests. */
public final class PoolCounters {

    private final PoolKey key;
    private final int active;
    private final int idle;
    private final int waiting;
    private final long created;
    private final long reused;
    private final long failed;
    private final long queued;

    /** Counters of a pool that does not count {@link #queued()} requests (0). */
    public PoolCounters(PoolKey key, int active, int idle, int waiting, long created, long reused, long failed) {
        this(key, active, idle, waiting, created, reused, failed, 0);
    }

    /** @since 1.2 */
    public PoolCounters(PoolKey key, int active, int idle, int waiting, long created, long reused, long failed,
            long queued) {
        this.key = Objects.requireNonNull(key, "key");
        this.active = active;
        this.idle = idle;
        this.waiting = waiting;
        this.created = created;
        this.reused = reused;
        this.failed = failed;
        this.queued = queued;
    }

    public PoolKey key() {
        return key;
    }

    /** Connections handed out and not yet released or closed. */
    public int active() {
        return active;
    }

    /** Connections kept for reuse. */
    public int idle() {
        return idle;
    }

    /** Requests queued for a connection because a limit was reached. */
    public int waiting() {
        return waiting;
    }

    /** Connections made by connect jobs, ever. */
    public long created() {
        return created;
    }

    /** Requests served by an idle connection, ever. */
    public long reused() {
        return reused;
    }

    /** Connect jobs that failed (including waits that timed out), ever. */
    public long failed() {
        return failed;
    }

    /**
     * Requests that had to wait for a connection because a limit was reached, ever: what a limit cost the clients
     * (0 while the limits are a server's circuit breakers, not a browser's politeness).
     *
     * @since 1.2
     */
    public long queued() {
        return queued;
    }

    @Override
    public String toString() {
        return key + " active=" + active + " idle=" + idle + " waiting=" + waiting + " created=" + created
                + " reused=" + reused + " failed=" + failed + " queued=" + queued;
    }
}
