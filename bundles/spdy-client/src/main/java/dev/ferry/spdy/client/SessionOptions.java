package dev.ferry.spdy.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one session. Immutable; start from {@link #defaults()} and change with the {@code with…} methods.
 * <ul>
 * <li>{@code timeout} (30 s): the longest any blocking call waits — connect and TLS, a reply, a read with no data,
 * a write while the proxy's windows stay shut, a ping.</li>
 * <li>{@code streamWindow} (64 KiB, the SPDY default): the receive window of each stream, announced with
 * SETTINGS_INITIAL_WINDOW_SIZE when it differs from the default. The proxy cannot send a stream more than this
 * beyond what the application has read.</li>
 * <li>{@code sessionWindow} (16 MiB; at least the SPDY default 64 KiB): the receive window of the whole session,
 * grown from 64 KiB with a WINDOW_UPDATE for stream 0 at the start. Credit comes back only as the application reads,
 * so an application that reads one stream at a time needs {@code sessionWindow >= streams × streamWindow}, or the
 * unread streams hold the session window and the stream being read stalls.</li>
 * <li>{@code maxDataFrame} (16 KiB): the largest DATA payload this client sends.</li>
 * <li>{@code maxHeaderSize} (64 KiB): the largest decompressed header block accepted; larger replies are reset.</li>
 * <li>{@code respectMaxConcurrentStreams} (true): new streams wait while the proxy's SETTINGS_MAX_CONCURRENT_STREAMS
 * streams are open; false sends them anyway (to test the proxy's REFUSED_STREAM).</li>
 * </ul>
 */
public final class SessionOptions {

    public static final int DEFAULT_WINDOW = 65_536;
    private static final int MAX_WINDOW = Integer.MAX_VALUE;
    private static final int MAX_FRAME_LENGTH = 0xFFFFFF;

    private static final SessionOptions DEFAULTS = new SessionOptions(Duration.ofSeconds(30), DEFAULT_WINDOW,
            16 * 1024 * 1024, 16 * 1024, 64 * 1024, true);

    private final Duration timeout;
    private final int streamWindow;
    private final int sessionWindow;
    private final int maxDataFrame;
    private final int maxHeaderSize;
    private final boolean respectMaxConcurrentStreams;

    private SessionOptions(Duration timeout, int streamWindow, int sessionWindow, int maxDataFrame,
            int maxHeaderSize, boolean respectMaxConcurrentStreams) {
        this.timeout = timeout;
        this.streamWindow = streamWindow;
        this.sessionWindow = sessionWindow;
        this.maxDataFrame = maxDataFrame;
        this.maxHeaderSize = maxHeaderSize;
        this.respectMaxConcurrentStreams = respectMaxConcurrentStreams;
    }

    public static SessionOptions defaults() {
        return DEFAULTS;
    }

    public SessionOptions withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new SessionOptions(timeout, streamWindow, sessionWindow, maxDataFrame, maxHeaderSize,
                respectMaxConcurrentStreams);
    }

    public SessionOptions withStreamWindow(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("streamWindow must be 1.." + MAX_WINDOW + ": " + bytes);
        }
        return new SessionOptions(timeout, bytes, sessionWindow, maxDataFrame, maxHeaderSize,
                respectMaxConcurrentStreams);
    }

    public SessionOptions withSessionWindow(int bytes) {
        if (bytes < DEFAULT_WINDOW) {
            throw new IllegalArgumentException("sessionWindow must be " + DEFAULT_WINDOW + ".." + MAX_WINDOW
                    + " (SPDY/3.1 can only grow the session window): " + bytes);
        }
        return new SessionOptions(timeout, streamWindow, bytes, maxDataFrame, maxHeaderSize,
                respectMaxConcurrentStreams);
    }

    public SessionOptions withMaxDataFrame(int bytes) {
        if (bytes < 1 || bytes > MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("maxDataFrame must be 1.." + MAX_FRAME_LENGTH + ": " + bytes);
        }
        return new SessionOptions(timeout, streamWindow, sessionWindow, bytes, maxHeaderSize,
                respectMaxConcurrentStreams);
    }

    public SessionOptions withMaxHeaderSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxHeaderSize must be positive: " + bytes);
        }
        return new SessionOptions(timeout, streamWindow, sessionWindow, maxDataFrame, bytes,
                respectMaxConcurrentStreams);
    }

    public SessionOptions withRespectMaxConcurrentStreams(boolean respect) {
        return new SessionOptions(timeout, streamWindow, sessionWindow, maxDataFrame, maxHeaderSize, respect);
    }

    public Duration timeout() {
        return timeout;
    }

    public int streamWindow() {
        return streamWindow;
    }

    public int sessionWindow() {
        return sessionWindow;
    }

    public int maxDataFrame() {
        return maxDataFrame;
    }

    public int maxHeaderSize() {
        return maxHeaderSize;
    }

    public boolean respectMaxConcurrentStreams() {
        return respectMaxConcurrentStreams;
    }

    @Override
    public String toString() {
        return "timeout " + timeout + ", streamWindow " + streamWindow + ", sessionWindow " + sessionWindow
                + ", maxDataFrame " + maxDataFrame + ", maxHeaderSize " + maxHeaderSize
                + ", respectMaxConcurrentStreams " + respectMaxConcurrentStreams;
    }
}
