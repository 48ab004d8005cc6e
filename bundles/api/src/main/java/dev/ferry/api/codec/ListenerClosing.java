package dev.ferry.api.codec;

/**
 * A user event fired on every connection of a listener that is closing (deconfigured, or its engine stopping).
 * Codecs finish what is in flight and then close: HTTP/1.1 after the current exchange, SPDY with GOAWAY. The
 * listener closes whatever is still open after its drain timeout.
 *
 * <p>Two kinds: {@link #INSTANCE} when another listener takes over (an edit, an update), where an idle connection is
 * kept until its idle timeout because its client may be sending a request this very moment; and {@link #STOPPING}
 * when the whole proxy stops, where no one else will serve that client anyway and an idle connection closes at once
 * (clients retry an idempotent request on a kept-alive connection that closes, RFC 9112 section 9.3.1), so that the
 * stop waits only for real work.
 */
public final class ListenerClosing {

    /** The listener closes; the proxy goes on (an edit or an update): idle connections stay until their timeout. */
    public static final ListenerClosing INSTANCE = new ListenerClosing(false);

    /** The proxy process stops: connections finish what is in flight, idle ones close now. */
    public static final ListenerClosing STOPPING = new ListenerClosing(true);

    private final boolean stopping;

    private ListenerClosing(boolean stopping) {
        this.stopping = stopping;
    }

    /** Whether the whole proxy stops, so that an idle connection should close now rather than at its timeout. */
    public boolean stopping() {
        return stopping;
    }

    @Override
    public String toString() {
        return stopping ? "ListenerClosing(stopping)" : "ListenerClosing";
    }
}
