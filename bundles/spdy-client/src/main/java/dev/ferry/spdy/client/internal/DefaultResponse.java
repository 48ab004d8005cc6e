package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

final class DefaultResponse extends RepliedStream implements Response {

    DefaultResponse(ClientStream stream, Reply reply, DefaultSpdySession session) {
        super(stream, reply, session);
    }

    @Override
    public String version() {
        return reply.version;
    }

    @Override
    public String header(String name) {
        return reply.header(name);
    }

    @Override
    public InputStream body() {
        return stream.inbound;
    }

    @Override
    public byte[] bodyBytes() throws IOException {
        return stream.inbound.readAllBytes();
    }

    @Override
    public String sha256() throws IOException {
        return sha256(stream.inbound);
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() {
        if (stream.inbound.atEnd()) {
            stream.inbound.close();
        } else {
            cancel();
        }
    }

    @Override
    public String toString() {
        return "stream " + stream.id() + ": " + reply.statusLine;
    }
}
