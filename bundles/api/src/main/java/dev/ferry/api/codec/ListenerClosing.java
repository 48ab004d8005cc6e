package dev.ferry.api.codec;

/**
 * A user event fired on every connection of a listener that is closing (deconfigured, or its engine stopping).
 * Codecs finish what is in flight and then close: HTTP/1.1 after the current exchange, SPDY with GOAWAY. The
 * listener closes whatever is still open after its drain timeout.
 */
public final class ListenerClosing {

    public static final ListenerClosing INSTANCE = new ListenerClosing();

    private ListenerClosing() {
    }

    @Override
    public String toString() {
        return "ListenerClosing";
    }
}
