package dev.ferry.spdy.impl;

/**
 * The receive side of SPDY/3.1 flow control for one session and all its streams, in one place. Every DATA byte the
 * client sends is counted against the session's window and its stream's; each byte is given back exactly once, when
 * it leaves the proxy's hands: passed on to the exchange (the session window and, while the client may send more on
 * the stream, the stream's), or dropped because its stream ended first (the session window only: the stream's window
 * ends with the stream). Credits go back in WINDOW_UPDATEs of at least half a window, not one per frame.
 *
 * <p>Used on the session's event loop only.
 */
final class ReceiveWindows {

    /** Sends a WINDOW_UPDATE (stream id 0: the session's). */
    interface Updates {
        void windowUpdate(int streamId, int delta);
    }

    /** What became of a DATA frame's bytes. */
    enum Admission {
        /** Within both windows: the stream takes them. */
        ACCEPTED,
        /** More than the session window allows: a session error. */
        SESSION_OVERRUN,
        /** More than the stream's window allows: the bytes were dropped (and credited), the stream must reset. */
        STREAM_OVERRUN
    }

    /** SPDY/3.1's initial window, for streams and the session alike, until SETTINGS or WINDOW_UPDATE say more. */
    static final int DEFAULT_WINDOW = 65536;

    private final int streamWindowBytes;
    private final int sessionWindowBytes;
    private final Updates updates;
    private int sessionWindow = DEFAULT_WINDOW;
    private int sessionUnacked;

    /** One stream's receive window. */
    final class Stream {
        private final int streamId;
        private int window = streamWindowBytes;
        private int unacked;

        private Stream(int streamId) {
            this.streamId = streamId;
        }
    }

    /**
     * @param streamWindowBytes  the stream window the proxy announces (SETTINGS_INITIAL_WINDOW_SIZE)
     * @param sessionWindowBytes the session window the proxy grants (SPDY's 64 KiB, raised at once when larger)
     */
    ReceiveWindows(int streamWindowBytes, int sessionWindowBytes, Updates updates) {
        this.streamWindowBytes = streamWindowBytes;
        this.sessionWindowBytes = sessionWindowBytes;
        this.updates = updates;
    }

    /** Raises the session window from SPDY's default to the configured one; called once, as the session starts. */
    void open() {
        if (sessionWindowBytes > DEFAULT_WINDOW) {
            int more = sessionWindowBytes - DEFAULT_WINDOW;
            sessionWindow += more;
            updates.windowUpdate(0, more);
        }
    }

    Stream newStream(int streamId) {
        return new Stream(streamId);
    }

    /**
     * Counts {@code bytes} of DATA for {@code stream}, or for no stream the client may send on (null: unknown or
     * finished; the bytes are dropped and credited, the caller answers the client).
     */
    Admission admit(Stream stream, int bytes) {
        if (bytes > sessionWindow) {
            return Admission.SESSION_OVERRUN;
        }
        sessionWindow -= bytes;
        if (stream == null) {
            dropped(bytes);
            return Admission.ACCEPTED;
        }
        if (bytes > stream.window) {
            dropped(bytes);
            return Admission.STREAM_OVERRUN;
        }
        stream.window -= bytes;
        return Admission.ACCEPTED;
    }

    /** By how much the client overran the session window with {@code bytes}, for the error message. */
    int sessionOverrun(int bytes) {
        return bytes - sessionWindow;
    }

    /**
     * {@code bytes} of the stream's data were passed on; {@code moreExpected}: the client has not finished the stream,
     * so it gets the stream's window back too.
     */
    void passedOn(Stream stream, int bytes, boolean moreExpected) {
        creditSession(bytes);
        if (moreExpected) {
            stream.unacked += bytes;
            if (stream.unacked >= streamWindowBytes / 2) {
                stream.window += stream.unacked;
                updates.windowUpdate(stream.streamId, stream.unacked);
                stream.unacked = 0;
            }
        }
    }

    /** {@code bytes} the client sent will never be passed on (their stream ended first). */
    void dropped(int bytes) {
        creditSession(bytes);
    }

    private void creditSession(int bytes) {
        sessionUnacked += bytes;
        if (sessionUnacked >= sessionWindowBytes / 2) {
            sessionWindow += sessionUnacked;
            updates.windowUpdate(0, sessionUnacked);
            sessionUnacked = 0;
        }
    }
}
