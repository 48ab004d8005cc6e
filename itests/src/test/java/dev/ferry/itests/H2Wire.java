package dev.ferry.itests;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A raw HTTP/2 client connection to the proxy's TLS listener (ALPN {@code h2} only), for tests that send what no
 * well-behaved client would. Frames go out exactly as the test builds them (hand-made bytes: {@link #frame}, HPACK
 * from Netty's {@link DefaultHttp2HeadersEncoder} or by hand), written on the socket in one piece per call; frames
 * from the proxy are parsed with Netty's {@link DefaultHttp2FrameReader} into {@link Frame} values (no buffers).
 *
 * <p>Nothing is read from the socket unless the test asks: {@link #open} reads until the proxy's SETTINGS (and
 * acknowledges them), then only {@link #startReading()} starts a reader thread; a test that floods without reading
 * leaves it off until it wants the answers. PING and SETTINGS acknowledgements are counted, not queued; every other
 * frame is queued for {@link #await}, and the end of the connection (EOF or an error) is queued as a frame of type
 * {@link #CLOSED}.
 */
final class H2Wire implements Closeable {

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;
    /** Not a frame: the connection ended (EOF, reset). */
    static final int CLOSED = -1;
    /** Not a frame: what the proxy sent could not be parsed. */
    static final int UNPARSABLE = -2;

    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final SSLContext TRUST_ALL;

    static {
        try {
            TRUST_ALL = SSLContext.getInstance("TLS");
            TRUST_ALL.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One frame from the proxy, as the test keeps it. */
    static final class Frame {
        final int type;
        final int streamId;
        final int flags;
        /** RST_STREAM and GOAWAY. */
        final long errorCode;
        /** GOAWAY. */
        final int lastStreamId;
        /** HEADERS: the decoded fields (first value of each name). */
        final Map<String, String> headers;
        /** DATA: payload bytes; WINDOW_UPDATE: the increment. */
        final int length;
        /** GOAWAY debug data, or what ended the connection. */
        final String text;

        Frame(int type, int streamId, int flags, long errorCode, int lastStreamId, Map<String, String> headers,
                int length, String text) {
            this.type = type;
            this.streamId = streamId;
            this.flags = flags;
            this.errorCode = errorCode;
            this.lastStreamId = lastStreamId;
            this.headers = headers;
            this.length = length;
            this.text = text;
        }

        boolean endStream() {
            return (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
        }

        String status() {
            return headers == null ? null : headers.get(":status");
        }

        @Override
        public String toString() {
            switch (type) {
                case CLOSED:
                    return "<connection ended: " + text + ">";
                case UNPARSABLE:
                    return "<unparsable: " + text + ">";
                case DATA:
                    return "DATA stream " + streamId + " " + length + " bytes" + (endStream() ? " END_STREAM" : "");
                case HEADERS:
                    return "HEADERS stream " + streamId + " " + headers + (endStream() ? " END_STREAM" : "");
                case RST_STREAM:
                    return "RST_STREAM stream " + streamId + " " + errorName(errorCode);
                case GOAWAY:
                    return "GOAWAY last-stream " + lastStreamId + " " + errorName(errorCode)
                            + (text.isEmpty() ? "" : " '" + text + "'");
                case WINDOW_UPDATE:
                    return "WINDOW_UPDATE stream " + streamId + " +" + length;
                case SETTINGS:
                    return "SETTINGS " + text;
                default:
                    return "frame type " + type + " stream " + streamId + " flags " + flags;
            }
        }
    }

    static String errorName(long code) {
        Http2Error error = Http2Error.valueOf(code);
        return (error == null ? "UNKNOWN" : error.name()) + "(0x" + Long.toHexString(code) + ")";
    }

    final SSLSocket socket;
    final String protocol;
    /** The proxy's SETTINGS as first received. */
    final Http2Settings serverSettings;
    final AtomicLong pingAcks = new AtomicLong();
    final AtomicLong settingsAcks = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();
    /** The first GOAWAY, once the reader saw one. */
    volatile Frame goAway;
    /** The end of the connection, once the reader saw it. */
    volatile Frame ended;

    private final OutputStream out;
    private final InputStream in;
    private final EmbeddedChannel embedded = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = embedded.pipeline().firstContext();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(
            new DefaultHttp2HeadersDecoder(false, 1L << 26));
    private final ByteBuf cumulation = Unpooled.buffer(65536);
    private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder(
            Http2HeadersEncoder.NEVER_SENSITIVE, true);
    private final LinkedBlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final Deque<Frame> history = new ArrayDeque<>();
    private final Listener listener = new Listener();
    private final byte[] readBuffer = new byte[32768];
    private volatile Http2Settings firstSettings;
    private volatile boolean closing;
    private Thread readerThread;

    private H2Wire(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.protocol = socket.getApplicationProtocol();
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
        if (!"h2".equals(protocol)) {
            close();
            throw new AssertionError("the proxy's TLS listener did not negotiate h2 (ALPN chose '" + protocol
                    + "'): is the h2 bundle in the distribution?");
        }
        write(PREFACE, frame(SETTINGS, 0, 0, new byte[0]));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (firstSettings == null) {
            if (System.nanoTime() > deadline || ended != null) {
                close();
                throw new IOException("no SETTINGS from the proxy: " + ended);
            }
            pump();
        }
        this.serverSettings = firstSettings;
        write(frame(SETTINGS, ACK, 0, new byte[0]));
    }

    /** A connection to the TLS listener on {@code port}, with the prefaces exchanged and acknowledged. */
    static H2Wire open(int port) throws IOException {
        return open(port, 0);
    }

    /**
     * Like {@link #open(int)}, with this side's socket receive buffer set to {@code receiveBufferBytes} before
     * connecting (0: the system's default), for a client that means to read nothing for a while.
     */
    static H2Wire open(int port, int receiveBufferBytes) throws IOException {
        SSLSocket socket = (SSLSocket) TRUST_ALL.getSocketFactory().createSocket();
        try {
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return new H2Wire(socket);
    }

    /** Reads on a thread of its own from now on, until the connection ends. */
    synchronized void startReading() {
        if (readerThread != null) {
            return;
        }
        readerThread = new Thread(() -> {
            while (ended == null) {
                pump();
            }
        }, "h2-wire-reader");
        readerThread.setDaemon(true);
        readerThread.start();
    }

    /** One read from the socket, parsed; the end of the connection becomes {@link #ended}. */
    private void pump() {
        int n;
        try {
            n = in.read(readBuffer);
        } catch (SocketTimeoutException idle) {
            return;
        } catch (IOException e) {
            end(closing ? "closed by the test" : e.toString());
            return;
        }
        if (n < 0) {
            end("EOF");
            return;
        }
        cumulation.writeBytes(readBuffer, 0, n);
        try {
            reader.readFrame(ctx, cumulation, listener);
        } catch (Http2Exception e) {
            offer(new Frame(UNPARSABLE, 0, 0, 0, 0, null, 0, e.toString()));
            end("unparsable input: " + e.getMessage());
            return;
        }
        cumulation.discardSomeReadBytes();
    }

    private void end(String why) {
        if (ended == null) {
            Frame end = new Frame(CLOSED, 0, 0, 0, 0, null, 0, why);
            ended = end;
            offer(end);
        }
    }

    private void offer(Frame frame) {
        if (frame.type == GOAWAY && goAway == null) {
            goAway = frame;
        }
        received.add(frame);
    }

    /**
     * The next frame that {@code wanted} accepts, or the end of the connection, whichever comes first; null after
     * {@code timeoutMillis}. Frames passed over are kept in a short history for messages.
     */
    Frame await(Predicate<Frame> wanted, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Frame f = received.poll();
            if (f == null) {
                Frame end = ended;
                if (end != null && received.isEmpty()) {
                    return end;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                f = received.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
                if (f == null) {
                    continue;
                }
            }
            remember(f);
            if (f.type == CLOSED || wanted.test(f)) {
                return f;
            }
        }
    }

    /** Whether a GOAWAY or the end of the connection arrived within {@code waitMillis}. */
    boolean reacted(long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (goAway == null && ended == null) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    private void remember(Frame f) {
        synchronized (history) {
            history.addLast(f);
            while (history.size() > 40) {
                history.removeFirst();
            }
        }
    }

    /** The last frames {@link #await} passed over or returned, for failure messages. */
    List<Frame> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    /** Writes the pieces as one piece on the socket. */
    void write(byte[]... pieces) throws IOException {
        int total = 0;
        for (byte[] p : pieces) {
            total += p.length;
        }
        byte[] all;
        if (pieces.length == 1) {
            all = pieces[0];
        } else {
            ByteBuffer joined = ByteBuffer.allocate(total);
            for (byte[] p : pieces) {
                joined.put(p);
            }
            all = joined.array();
        }
        synchronized (out) {
            out.write(all);
            out.flush();
        }
        bytesWritten.addAndGet(total);
    }

    // ---- frames ----

    static byte[] frame(int type, int flags, int streamId, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) ((streamId >>> 24) & 0x7f);
        f[6] = (byte) (streamId >>> 16);
        f[7] = (byte) (streamId >>> 8);
        f[8] = (byte) streamId;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    static byte[] rstStream(int streamId, Http2Error error) {
        return frame(RST_STREAM, 0, streamId, int32(error.code()));
    }

    static byte[] ping(long data) {
        return frame(PING, 0, 0, ByteBuffer.allocate(8).putLong(data).array());
    }

    static byte[] windowUpdate(int streamId, int increment) {
        return frame(WINDOW_UPDATE, 0, streamId, int32(increment));
    }

    static byte[] data(int streamId, byte[] payload, boolean endStream) {
        return frame(DATA, endStream ? END_STREAM : 0, streamId, payload);
    }

    private static byte[] int32(long value) {
        return ByteBuffer.allocate(4).putInt((int) value).array();
    }

    /**
     * A HEADERS frame (END_HEADERS) with {@code fields} encoded by this connection's HPACK encoder, whose dynamic
     * table follows what the proxy decodes: every block encoded here must be sent, in order.
     */
    byte[] headers(int streamId, Http2Headers fields, boolean endStream) {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, headerBlock(streamId, fields));
    }

    synchronized byte[] headerBlock(int streamId, Http2Headers fields) {
        ByteBuf block = Unpooled.buffer();
        try {
            hpack.encodeHeaders(streamId, fields, block);
            byte[] bytes = new byte[block.readableBytes()];
            block.readBytes(bytes);
            return bytes;
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            block.release();
        }
    }

    /** The request fields of a proxied {@code method} to an absolute {@code http://} URL. */
    static Http2Headers request(String method, String url) {
        URI uri = URI.create(url);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new DefaultHttp2Headers().method(method).scheme(uri.getScheme()).authority(uri.getRawAuthority())
                .path(path);
    }

    // ---- HPACK by hand (RFC 7541), for blocks Netty's encoder would not make ----

    /** An HPACK integer with an {@code prefixBits}-bit prefix, the first byte's other bits {@code flags}. */
    static void hpackInt(ByteArrayOutputStream out, int prefixBits, int flags, long value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            out.write(flags | (int) value);
            return;
        }
        out.write(flags | max);
        value -= max;
        while (value >= 128) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** An HPACK string literal, not Huffman-coded. */
    static void hpackString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        hpackInt(out, 7, 0, bytes.length);
        out.writeBytes(bytes);
    }

    /**
     * The fields of a GET of {@code url} from static-table names only, literals never indexed: the proxy's
     * dynamic table stays as it was.
     */
    static void hpackGetWithoutIndexing(ByteArrayOutputStream out, String url) {
        URI uri = URI.create(url);
        out.write(0x82); // :method GET
        out.write(0x86); // :scheme http
        hpackInt(out, 4, 0x00, 1); // :authority, literal without indexing
        hpackString(out, uri.getRawAuthority());
        hpackInt(out, 4, 0x00, 4); // :path
        hpackString(out, uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    // ---- reading ----

    private final class Listener extends Http2FrameAdapter {

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                boolean endOfStream) {
            int length = data.readableBytes();
            offer(new Frame(DATA, streamId, endOfStream ? END_STREAM : 0, 0, 0, null, length, ""));
            return length + padding;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) {
            Map<String, String> fields = new LinkedHashMap<>();
            headers.forEach(e -> fields.putIfAbsent(e.getKey().toString(), e.getValue().toString()));
            offer(new Frame(HEADERS, streamId, endOfStream ? END_STREAM : 0, 0, 0, fields, 0, ""));
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            offer(new Frame(RST_STREAM, streamId, 0, errorCode, 0, null, 0, ""));
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) {
            settingsAcks.incrementAndGet();
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            if (firstSettings == null) {
                firstSettings = settings;
            }
            offer(new Frame(SETTINGS, 0, 0, 0, 0, null, 0, settings.toString()));
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) {
            pingAcks.incrementAndGet();
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) {
            offer(new Frame(PING, 0, 0, 0, 0, null, 0, Long.toString(data)));
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            offer(new Frame(GOAWAY, 0, 0, errorCode, lastStreamId, null, 0,
                    debugData.toString(StandardCharsets.UTF_8)));
        }

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
            offer(new Frame(WINDOW_UPDATE, streamId, 0, 0, 0, null, windowSizeIncrement, ""));
        }

        @Override
        public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                ByteBuf payload) {
            offer(new Frame(frameType, streamId, flags.value(), 0, 0, null, payload.readableBytes(), ""));
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        Thread t;
        synchronized (this) {
            t = readerThread;
        }
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (t == null || !t.isAlive()) {
            synchronized (this) {
                reader.close();
                if (cumulation.refCnt() > 0) {
                    cumulation.release();
                }
            }
            embedded.finishAndReleaseAll();
        }
    }
}
