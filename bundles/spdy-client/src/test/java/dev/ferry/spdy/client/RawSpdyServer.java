package dev.ferry.spdy.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A SPDY/3.1 peer on raw frames (Netty's {@link SpdyFrameCodec} only), independent of the client's code, with
 * flow control of its own in both directions. It checks the client: every window overrun or bad stream id lands in
 * {@link #violations}. Behaviour by request:
 * <ul>
 * <li>{@code CONNECT host:port} — 200, then echoes the stream's DATA back (window credit is returned to the client
 * only as bytes are echoed, so the echo buffer is bounded by the window); the client's FIN is answered with FIN once
 * everything is echoed. {@code CONNECT hold:1} — 200, then swallows DATA and gives no credit until
 * {@link #releaseCredit()}. {@code CONNECT refuse:1} — 502 with a body.</li>
 * <li>{@code GET …/download?bytes=N&seed=S} — N bytes of {@link Patterns} S, as the client's windows allow.</li>
 * <li>{@code GET …/reset?status=S} — RST_STREAM S. {@code …/reply-then-reset?status=S} — 200, 1000 bytes, then
 * RST_STREAM S.</li>
 * <li>{@code GET …/goaway?status=S} — GOAWAY with the previous stream as the last good one.</li>
 * <li>{@code GET …/overrun} — 200 and the client's stream window plus 1000 bytes, ignoring the window.</li>
 * <li>{@code GET …/data-before-reply}, {@code …/data-after-fin}, {@code …/invalid-frame} (a PING of
 * length 8).</li>
 * <li>{@code POST …/upload} — swallows the body (credit as it arrives, or held); on the client's FIN replies 200
 * with {@code x-bytes} and {@code x-sha256} of what arrived, and FIN.</li>
 * <li>{@code GET …/headers} — 204 with a few headers and FIN. {@code GET …/silent} — no answer at all.</li>
 * </ul>
 */
final class RawSpdyServer implements AutoCloseable {

    private static final int DEFAULT_WINDOW = 65_536;
    private static final int FRAME = 8192;

    /** The stream window announced to the client (SETTINGS_INITIAL_WINDOW_SIZE when not 64 KiB). */
    private final int initialWindow;
    private final boolean pingOnConnect;
    private volatile boolean holding;

    final List<String> violations = new CopyOnWriteArrayList<>();
    final Map<Integer, Map<String, String>> requests = new ConcurrentHashMap<>();
    final Map<Integer, Integer> resetsFromClient = new ConcurrentHashMap<>();
    final Map<Integer, Integer> settingsFromClient = new ConcurrentHashMap<>();
    final CompletableFuture<Integer> goAwayFromClient = new CompletableFuture<>();
    final CompletableFuture<Integer> pong = new CompletableFuture<>();
    final AtomicInteger streamWindowUpdatesFromClient = new AtomicInteger();
    private final Map<Integer, AtomicLong> sent = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> received = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final SpdyListener listener;

    RawSpdyServer(SslContext tls) throws InterruptedException {
        this(tls, DEFAULT_WINDOW, false, false);
    }

    RawSpdyServer(SslContext tls, int initialWindow, boolean holdCredit, boolean pingOnConnect)
            throws InterruptedException {
        this.initialWindow = initialWindow;
        this.holding = holdCredit;
        this.pingOnConnect = pingOnConnect;
        listener = new SpdyListener(tls, pipeline -> pipeline.addLast(new Connection()));
    }

    InetSocketAddress address() {
        return listener.address();
    }

    long sent(int streamId) {
        AtomicLong n = sent.get(streamId);
        return n == null ? 0 : n.get();
    }

    long received(int streamId) {
        AtomicLong n = received.get(streamId);
        return n == null ? 0 : n.get();
    }

    long receivedTotal() {
        return received.values().stream().mapToLong(AtomicLong::get).sum();
    }

    long sentTotal() {
        return sent.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Stops holding credit back: announces everything received so far, and credits at once from now on. */
    void releaseCredit() {
        holding = false;
        for (Connection connection : connections) {
            connection.ctx.executor().execute(connection::announceCredit);
        }
    }

    @Override
    public void close() {
        listener.close();
    }

    /** One stream of a connection. */
    private static final class Stream {
        final int id;
        int sendWindow;
        int receiveWindow;
        int unannounced;
        boolean echo;
        boolean sink;
        boolean ignoreWindows;
        final ArrayDeque<byte[]> out = new ArrayDeque<>();
        int outOffset;
        long sourceRemaining;
        long sourceOffset;
        long seed;
        boolean finAfterOutput;
        boolean finSent;
        MessageDigest digest;
        long digested;

        Stream(int id, int sendWindow, int receiveWindow) {
            this.id = id;
            this.sendWindow = sendWindow;
            this.receiveWindow = receiveWindow;
        }

        boolean hasOutput() {
            return !out.isEmpty() || sourceRemaining > 0;
        }
    }

    private final class Connection extends ChannelInboundHandlerAdapter {
        ChannelHandlerContext ctx;
        final Map<Integer, Stream> streams = new LinkedHashMap<>();
        int lastClientStream;
        int clientInitialWindow = DEFAULT_WINDOW;
        int sessionSendWindow = DEFAULT_WINDOW;
        int sessionReceiveWindow = DEFAULT_WINDOW;
        int sessionUnannounced;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            connections.add(this);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            connections.remove(this);
            super.channelInactive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) event).isSuccess()) {
                if (initialWindow != DEFAULT_WINDOW) {
                    SpdySettingsFrame settings = new DefaultSpdySettingsFrame();
                    settings.setValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, initialWindow);
                    ctx.write(settings);
                }
                if (pingOnConnect) {
                    ctx.write(new DefaultSpdyPingFrame(2));
                }
                ctx.flush();
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof SpdySynStreamFrame) {
                    onSynStream((SpdySynStreamFrame) msg);
                } else if (msg instanceof SpdyDataFrame) {
                    onData((SpdyDataFrame) msg);
                } else if (msg instanceof SpdyWindowUpdateFrame) {
                    onWindowUpdate((SpdyWindowUpdateFrame) msg);
                } else if (msg instanceof SpdySettingsFrame) {
                    onSettings((SpdySettingsFrame) msg);
                } else if (msg instanceof SpdyRstStreamFrame) {
                    SpdyRstStreamFrame rst = (SpdyRstStreamFrame) msg;
                    resetsFromClient.put(rst.streamId(), rst.status().code());
                    streams.remove(rst.streamId());
                } else if (msg instanceof SpdyPingFrame) {
                    int id = ((SpdyPingFrame) msg).id();
                    if ((id & 1) == 1) {
                        ctx.writeAndFlush(new DefaultSpdyPingFrame(id));
                    } else {
                        pong.complete(id);
                    }
                } else if (msg instanceof SpdyGoAwayFrame) {
                    goAwayFromClient.complete(((SpdyGoAwayFrame) msg).status().code());
                } else {
                    violations.add("unexpected frame " + msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            violations.add("server pipeline error: " + cause);
            ctx.close();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            pump();
            super.channelWritabilityChanged(ctx);
        }

        private void onSynStream(SpdySynStreamFrame syn) {
            int id = syn.streamId();
            if ((id & 1) == 0 || id <= lastClientStream) {
                violations.add("SYN_STREAM with id " + id + " after " + lastClientStream);
            }
            lastClientStream = Math.max(lastClientStream, id);
            Map<String, String> headers = new LinkedHashMap<>();
            syn.headers().iteratorAsString().forEachRemaining(h -> headers.put(h.getKey(), h.getValue()));
            requests.put(id, headers);
            if (syn.isInvalid()) {
                violations.add("invalid SYN_STREAM " + id);
                ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, 1));
                return;
            }
            Stream stream = new Stream(id, clientInitialWindow, initialWindow);
            streams.put(id, stream);
            String method = headers.get(":method");
            String path = headers.get(":path");
            if ("CONNECT".equals(method)) {
                connect(stream, path);
            } else {
                request(stream, URI.create(path));
            }
            pump();
        }

        private void connect(Stream stream, String hostPort) {
            if (hostPort.equals("refuse:1")) {
                reply(stream.id, "502 Bad Gateway", false);
                stream.out.add("no tunnel".getBytes(StandardCharsets.US_ASCII));
                stream.finAfterOutput = true;
            } else if (hostPort.equals("hold:1")) {
                reply(stream.id, "200 Connection established", false);
                stream.sink = true;
            } else {
                reply(stream.id, "200 Connection established", false);
                stream.echo = true;
            }
        }

        private void request(Stream stream, URI uri) {
            Map<String, String> query = query(uri);
            int status = Integer.parseInt(query.getOrDefault("status", "0"));
            switch (uri.getPath()) {
                case "/download":
                    reply(stream.id, "200 OK", false);
                    stream.sourceRemaining = Long.parseLong(query.get("bytes"));
                    stream.seed = Long.parseLong(query.getOrDefault("seed", "0"));
                    stream.finAfterOutput = true;
                    break;
                case "/reset":
                    streams.remove(stream.id);
                    ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(stream.id, status));
                    break;
                case "/reply-then-reset":
                    streams.remove(stream.id);
                    reply(stream.id, "200 OK", false);
                    ctx.write(new DefaultSpdyDataFrame(stream.id, Unpooled.wrappedBuffer(Patterns.bytes(0, 1000))));
                    ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(stream.id, status));
                    break;
                case "/goaway":
                    ctx.writeAndFlush(new DefaultSpdyGoAwayFrame(stream.id - 2, status));
                    break;
                case "/overrun":
                    reply(stream.id, "200 OK", false);
                    stream.ignoreWindows = true;
                    stream.sourceRemaining = stream.sendWindow + 1000L;
                    break;
                case "/data-before-reply":
                    ctx.writeAndFlush(new DefaultSpdyDataFrame(stream.id, Unpooled.wrappedBuffer(new byte[100])));
                    break;
                case "/data-after-fin":
                    streams.remove(stream.id);
                    reply(stream.id, "200 OK", true);
                    ctx.writeAndFlush(new DefaultSpdyDataFrame(stream.id, Unpooled.wrappedBuffer(new byte[10])));
                    break;
                case "/invalid-frame":
                    ByteBuf ping = Unpooled.buffer(16);
                    ping.writeShort(0x8003).writeShort(6).writeInt(8).writeLong(42);
                    ctx.pipeline().context(SpdyFrameCodec.class).writeAndFlush(ping);
                    break;
                case "/upload":
                    stream.sink = true;
                    stream.digest = Patterns.digest();
                    break;
                case "/silent":
                    break;
                case "/headers":
                    streams.remove(stream.id);
                    SpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(stream.id);
                    reply.headers().set(":status", "204 No Content").set(":version", "HTTP/1.1")
                            .set("x-one", "1").add("x-two", "a").add("x-two", "b");
                    reply.setLast(true);
                    ctx.writeAndFlush(reply);
                    break;
                default:
                    reply(stream.id, "404 Not Found", true);
                    streams.remove(stream.id);
            }
        }

        private Map<String, String> query(URI uri) {
            Map<String, String> query = new LinkedHashMap<>();
            if (uri.getQuery() != null) {
                for (String pair : uri.getQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    query.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            return query;
        }

        private void reply(int id, String status, boolean fin) {
            SpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
            reply.headers().set(":status", status).set(":version", "HTTP/1.1").set("x-server", "raw");
            reply.setLast(fin);
            ctx.writeAndFlush(reply);
        }

        private void onData(SpdyDataFrame data) {
            int id = data.streamId();
            int length = data.content().readableBytes();
            received.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(length);
            sessionReceiveWindow -= length;
            if (sessionReceiveWindow < 0) {
                violations.add("the client overran the session window by " + -sessionReceiveWindow
                        + " on stream " + id);
            }
            Stream stream = streams.get(id);
            if (stream == null) {
                violations.add("DATA on stream " + id + ", which is not open");
                ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, 2));
                return;
            }
            stream.receiveWindow -= length;
            if (stream.receiveWindow < 0) {
                violations.add("the client overran the window of stream " + id + " by " + -stream.receiveWindow);
                streams.remove(id);
                ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, 7));
                return;
            }
            if (stream.echo && length > 0) {
                stream.out.add(ByteBufUtil.getBytes(data.content()));
            } else if (length > 0) {
                if (stream.digest != null) {
                    stream.digest.update(data.content().nioBuffer());
                    stream.digested += length;
                }
                credit(stream, length);
            }
            if (data.isLast()) {
                if (stream.digest != null) {
                    SpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
                    reply.headers().set(":status", "200 OK").set(":version", "HTTP/1.1")
                            .set("x-bytes", Long.toString(stream.digested))
                            .set("x-sha256", HexFormat.of().formatHex(stream.digest.digest()));
                    ctx.writeAndFlush(reply);
                }
                stream.finAfterOutput = true;
            }
            pump();
        }

        private void onWindowUpdate(SpdyWindowUpdateFrame update) {
            if (update.streamId() == 0) {
                sessionSendWindow += update.deltaWindowSize();
            } else {
                streamWindowUpdatesFromClient.incrementAndGet();
                Stream stream = streams.get(update.streamId());
                if (stream != null) {
                    stream.sendWindow += update.deltaWindowSize();
                }
            }
            pump();
        }

        private void onSettings(SpdySettingsFrame settings) {
            for (Integer id : settings.ids()) {
                settingsFromClient.put(id, settings.getValue(id));
                if (id == SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE) {
                    int delta = settings.getValue(id) - clientInitialWindow;
                    clientInitialWindow = settings.getValue(id);
                    streams.values().forEach(s -> s.sendWindow += delta);
                }
            }
            pump();
        }

        /** Gives the client window back for bytes this server has dealt with. */
        private void credit(Stream stream, int bytes) {
            stream.unannounced += bytes;
            sessionUnannounced += bytes;
            if (!holding) {
                if (stream.unannounced >= initialWindow / 2) {
                    announce(stream);
                }
                if (sessionUnannounced >= DEFAULT_WINDOW / 2) {
                    announceSession();
                }
            }
        }

        void announceCredit() {
            for (Stream stream : streams.values()) {
                announce(stream);
            }
            announceSession();
        }

        private void announce(Stream stream) {
            if (stream.unannounced > 0) {
                ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(stream.id, stream.unannounced));
                stream.receiveWindow += stream.unannounced;
                stream.unannounced = 0;
            }
        }

        private void announceSession() {
            if (sessionUnannounced > 0) {
                ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(0, sessionUnannounced));
                sessionReceiveWindow += sessionUnannounced;
                sessionUnannounced = 0;
            }
        }

        /** Sends what the client's windows allow, one frame per stream in turn. */
        private void pump() {
            boolean progress = true;
            while (progress && ctx.channel().isWritable()) {
                progress = false;
                for (Stream stream : List.copyOf(streams.values())) {
                    progress |= sendOne(stream);
                }
            }
            ctx.flush();
        }

        private boolean sendOne(Stream stream) {
            if (stream.finSent) {
                return false;
            }
            if (!stream.hasOutput()) {
                if (stream.finAfterOutput) {
                    DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(stream.id);
                    fin.setLast(true);
                    ctx.write(fin);
                    stream.finSent = true;
                    return true;
                }
                return false;
            }
            int allowed = stream.ignoreWindows ? FRAME
                    : Math.min(FRAME, Math.min(stream.sendWindow, sessionSendWindow));
            if (allowed <= 0) {
                return false;
            }
            byte[] bytes;
            if (!stream.out.isEmpty()) {
                byte[] head = stream.out.peek();
                int n = Math.min(allowed, head.length - stream.outOffset);
                bytes = new byte[n];
                System.arraycopy(head, stream.outOffset, bytes, 0, n);
                stream.outOffset += n;
                if (stream.outOffset == head.length) {
                    stream.out.poll();
                    stream.outOffset = 0;
                }
            } else {
                int n = (int) Math.min(allowed, stream.sourceRemaining);
                bytes = new byte[n];
                Patterns.fill(stream.seed, stream.sourceOffset, bytes, 0, n);
                stream.sourceOffset += n;
                stream.sourceRemaining -= n;
            }
            ctx.write(new DefaultSpdyDataFrame(stream.id, Unpooled.wrappedBuffer(bytes)));
            stream.sendWindow -= bytes.length;
            sessionSendWindow -= bytes.length;
            sent.computeIfAbsent(stream.id, k -> new AtomicLong()).addAndGet(bytes.length);
            if (stream.echo) {
                credit(stream, bytes.length);
            }
            return true;
        }
    }
}
