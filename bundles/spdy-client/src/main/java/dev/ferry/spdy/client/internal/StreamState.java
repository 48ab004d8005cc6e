package dev.ferry.spdy.client.internal;

/**
 * Where a client stream is in its life. A stream has two directions; each ends with a FIN (or both with a reset).
 * <pre>
 * QUEUED ──SYN_STREAM──▶ OPEN ──our FIN──▶ HALF_CLOSED_LOCAL ──peer FIN──▶ CLOSED
 *                          └──peer FIN──▶ HALF_CLOSED_REMOTE ──our FIN──▶ CLOSED
 * any state ──RST_STREAM (either way), GOAWAY above the stream, session end──▶ CLOSED
 * </pre>
 * Whether SYN_REPLY has arrived is kept apart from this (it does not end a direction).
 */
enum StreamState {
    /** Waiting for a slot under the proxy's MAX_CONCURRENT_STREAMS; no id yet, nothing sent. */
    QUEUED,
    /** SYN_STREAM sent; both directions open. */
    OPEN,
    /** Our FIN sent; the proxy may still send. */
    HALF_CLOSED_LOCAL,
    /** The proxy's FIN received; we may still send. */
    HALF_CLOSED_REMOTE,
    CLOSED;

    StreamState afterLocalFin() {
        switch (this) {
            case OPEN:
                return HALF_CLOSED_LOCAL;
            case HALF_CLOSED_REMOTE:
                return CLOSED;
            default:
                throw new IllegalStateException("our FIN in state " + this);
        }
    }

    StreamState afterRemoteFin() {
        switch (this) {
            case OPEN:
                return HALF_CLOSED_REMOTE;
            case HALF_CLOSED_LOCAL:
                return CLOSED;
            default:
                throw new IllegalStateException("peer FIN in state " + this);
        }
    }

    /** True while we may send DATA. */
    boolean localOpen() {
        return this == OPEN || this == HALF_CLOSED_REMOTE;
    }

    /** True while the proxy may send DATA. */
    boolean remoteOpen() {
        return this == OPEN || this == HALF_CLOSED_LOCAL;
    }
}
