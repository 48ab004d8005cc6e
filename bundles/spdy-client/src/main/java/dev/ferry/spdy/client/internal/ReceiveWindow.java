package dev.ferry.spdy.client.internal;

/**
 * A receive window (one stream's, or the session's): DATA takes from it, the application's reads give back, and the
 * given-back bytes are announced in one WINDOW_UPDATE once they reach half the window. Event loop only.
 * <p>
 * Invariant: {@code window + unannounced + (bytes received but not yet read) == size}.
 */
final class ReceiveWindow {

    private final int size;
    private final int threshold;
    private int window;
    private int unannounced;

    ReceiveWindow(int size) {
        this.size = size;
        this.threshold = Math.max(1, size / 2);
        this.window = size;
    }

    int size() {
        return size;
    }

    /** Takes {@code bytes} of DATA; false when the sender went past the window (the caller ends the stream/session). */
    boolean take(int bytes) {
        if (bytes > window) {
            window = -1;
            return false;
        }
        window -= bytes;
        return true;
    }

    /** What the sender may still send. */
    int remaining() {
        return window;
    }

    /** Gives back bytes the application has read; returns the WINDOW_UPDATE delta to send now, or 0. */
    int release(int bytes) {
        unannounced += bytes;
        if (unannounced < threshold) {
            return 0;
        }
        int delta = unannounced;
        unannounced = 0;
        window += delta;
        return delta;
    }
}
