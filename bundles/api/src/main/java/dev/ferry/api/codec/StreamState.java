package dev.ferry.api.codec;

/**
 * Where a stream of a multiplexing protocol (SPDY, HTTP/2) is in its life, as the proxy's stream channel sees it. A
 * FIN (END_STREAM) from the client half-closes the remote side, the proxy's own the local side; with both the stream
 * is {@link #FINISHED} and its channel closes once what it received has been passed on. A reset either way ends it at
 * once ({@link #RESET}, then {@link #CLOSED}).
 */
public enum StreamState {
    /** Both sides may send. */
    OPEN,
    /** The client sent its FIN; the proxy may still send. */
    HALF_CLOSED_REMOTE,
    /** The proxy sent its FIN; the client may still send. */
    HALF_CLOSED_LOCAL,
    /** Both sent their FIN: nothing more to say, the channel closes when its received data is passed on. */
    FINISHED,
    /** Reset by RST_STREAM, sent or received: no FIN or RST is sent any more; the channel is closing. */
    RESET,
    /** The channel closed. */
    CLOSED;

    /** After the client's FIN. */
    public StreamState remoteFin() {
        switch (this) {
            case OPEN:
                return HALF_CLOSED_REMOTE;
            case HALF_CLOSED_LOCAL:
                return FINISHED;
            default:
                return this;
        }
    }

    /** After the proxy's FIN. */
    public StreamState localFin() {
        switch (this) {
            case OPEN:
                return HALF_CLOSED_LOCAL;
            case HALF_CLOSED_REMOTE:
                return FINISHED;
            default:
                return this;
        }
    }

    /** The client sent its FIN (or the stream ended): it sends no more data on it. */
    public boolean remoteFinished() {
        return this != OPEN && this != HALF_CLOSED_LOCAL;
    }

    /** The proxy sent its FIN (or the stream ended): it sends no more on it. */
    public boolean localFinished() {
        return this != OPEN && this != HALF_CLOSED_REMOTE;
    }

    /** Neither reset nor closed: frames may still be sent for it. */
    public boolean live() {
        return this != RESET && this != CLOSED;
    }
}
