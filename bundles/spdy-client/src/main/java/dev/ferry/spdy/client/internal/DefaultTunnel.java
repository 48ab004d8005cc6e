package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.Tunnel;
import java.io.InputStream;
import java.io.OutputStream;

final class DefaultTunnel extends RepliedStream implements Tunnel {

    DefaultTunnel(ClientStream stream, Reply reply, DefaultSpdySession session) {
        super(stream, reply, session);
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
    public void close() {
        end(true, "tunnel closed by the application");
    }

    @Override
    public String toString() {
        return "tunnel on stream " + stream.id() + ": " + reply.statusLine;
    }
}
