package dev.ferry.spdy.client.internal;

import java.util.List;
import java.util.Map;

/**
 * A stream the proxy has answered with SYN_REPLY, as the application holds it: what {@link DefaultResponse} and
 * {@link DefaultTunnel} have in common. The public methods implement the methods of the same name in
 * {@code Response} and {@code Tunnel}.
 */
abstract class RepliedStream {

    final ClientStream stream;
    final Reply reply;
    private final DefaultSpdySession session;

    RepliedStream(ClientStream stream, Reply reply, DefaultSpdySession session) {
        this.stream = stream;
        this.reply = reply;
        this.session = session;
    }

    public int streamId() {
        return stream.id();
    }

    public int status() {
        return reply.status;
    }

    public String statusLine() {
        return reply.statusLine;
    }

    public Map<String, List<String>> headers() {
        return reply.headers;
    }

    public void cancel() {
        end(false, "cancelled by the application");
    }

    /**
     * Drops the unread data and ends the stream if it is still open: with our FIN when {@code graceful} and the proxy
     * has already sent its FIN, otherwise with RST_STREAM CANCEL.
     */
    void end(boolean graceful, String detail) {
        stream.inbound.close();
        session.cancel(stream, graceful, detail);
    }
}
