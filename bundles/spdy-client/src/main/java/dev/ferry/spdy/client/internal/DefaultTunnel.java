package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.Tunnel;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

final class DefaultTunnel implements Tunnel {

    private final ClientStream stream;
    private final Reply reply;
    private final DefaultSpdySession session;

    DefaultTunnel(ClientStream stream, Reply reply, DefaultSpdySession session) {
        this.stream = stream;
        this.reply = reply;
        this.session = session;
    }

    @Override
    public int streamId() {
        return stream.id();
    }

    @Override
    public int status() {
        return reply.status;
    }

    @Override
    public String statusLine() {
        return reply.statusLine;
    }

    @Override
    public Map<String, List<String>> headers() {
        return reply.headers;
    }

    @Override
    public InputStream input() {
        return stream.inbound;
    }

    @Override
    public OutputStream output() {
        return stream.outbound;
    }

    @Override
    public void cancel() {
        stream.inbound.close();
        session.cancel(stream, false, "cancelled by the application");
    }

    @Override
    public void close() {
        stream.inbound.close();
        session.cancel(stream, true, "tunnel closed by the application");
    }

    @Override
    public String toString() {
        return "tunnel on stream " + stream.id() + ": " + reply.statusLine;
    }
}
