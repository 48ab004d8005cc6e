package dev.ferry.spdy.impl;

import dev.ferry.jmh.SmallGet;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.osgi.util.converter.Converters;

/**
 * One SPDY/3.1 stream through the proxy's SPDY server session, at the byte level, on Netty {@link EmbeddedChannel}s
 * (no sockets, no event loop threads).
 *
 * <p>One op: the client encodes a SYN_STREAM (a new odd stream id, FIN set: {@code GET http://127.0.0.1:8080/100b}
 * with the headers of {@link SmallGet}, compressed on the session's zlib stream) with Netty's {@link SpdyFrameCodec};
 * those bytes arrive on the proxy's connection, whose pipeline is what {@link SpdyServerCodec} builds (Netty's
 * SpdyFrameCodec, then {@link SpdyServerSession} at the bundle's default limits). The session opens a
 * {@link SpdyStreamChannel} and delivers the request to its handler ({@link AnsweringExchangeHandler}, standing in
 * for the engine's exchange handler and its origin), which answers {@code 200} with a 100-byte body; the stream
 * writes SYN_REPLY and DATA (FIN), the proxy's codec encodes them, and the stream's channel closes (its close task
 * runs). The client decodes the response bytes (the SYN_REPLY's header block inflated) and the frames are released.
 * Every 32 KiB of response body the client credits the session window back (WINDOW_UPDATE), as a browser does.
 *
 * <p>So the op includes the client's half of the wire work (encoding the SYN_STREAM, decoding the reply) as well as
 * the proxy's; it excludes sockets, the event loop, the engine's exchange handling and the origin (see
 * {@code Http1HeadPath} for those on HTTP/1). The session is built once per trial and carries every op's stream;
 * a new one replaces it between iterations only when its stream ids run short.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpdyFramePath {

    /** A browser's threshold for crediting the session window back: half the initial 64 KiB. */
    private static final int SESSION_CREDIT_BYTES = 32 * 1024;
    /** Stream ids are 31 bits; past this a fresh session takes over (at ~1 us per op, after minutes). */
    private static final int LAST_STREAM_ID = 1 << 30;

    private final AnsweringExchangeHandler.Answers answers = new AnsweringExchangeHandler.Answers();
    /** The proxy's end of the connection. */
    private EmbeddedChannel proxy;
    /** The client's end: only its frame codec, with its own compression contexts. */
    private EmbeddedChannel client;
    private int nextStreamId;
    private int bodyBytesNotCredited;
    /** Stream channels closed before this session opened (the count spans sessions). */
    private int closedBeforeSession;

    @Setup(Level.Trial)
    public void openSession() {
        SpdyLimits limits = Converters.standardConverter().convert(Map.of()).to(SpdyLimits.class);
        SpdyServerCodec codec = new SpdyServerCodec(limits);
        proxy = new EmbeddedChannel();
        codec.configure(proxy.pipeline(), () -> new AnsweringExchangeHandler(answers));
        client = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        nextStreamId = 1;
        bodyBytesNotCredited = 0;
        closedBeforeSession = answers.streamsClosed;
        // the session's opening SETTINGS and WINDOW_UPDATE reach the client
        toClient();
        for (Object frame; (frame = client.readInbound()) != null;) {
            ReferenceCountUtil.release(frame);
        }
        // one stream outside the measurement: it fails if the op does not do what it says
        stream();
    }

    @Setup(Level.Iteration)
    public void renewSessionWhenIdsRunShort() {
        if (nextStreamId > LAST_STREAM_ID) {
            closeSession();
            openSession();
        }
    }

    @Benchmark
    public int stream() {
        int streamId = nextStreamId;
        nextStreamId += 2;
        SpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(streamId, 0, (byte) 0);
        SpdyHeaders headers = syn.headers();
        headers.set(SpdyHeaders.HttpNames.METHOD, "GET").set(SpdyHeaders.HttpNames.PATH, SmallGet.TARGET)
                .set(SpdyHeaders.HttpNames.VERSION, "HTTP/1.1").set(SpdyHeaders.HttpNames.HOST, SmallGet.AUTHORITY)
                .set(SpdyHeaders.HttpNames.SCHEME, "http");
        for (String[] header : SmallGet.REQUEST_HEADERS) {
            headers.set(header[0].toLowerCase(Locale.ROOT), header[1]);
        }
        syn.setLast(true);
        client.writeOutbound(syn);
        toProxy();
        // the finished stream's channel closes in a task of the connection's loop
        proxy.runPendingTasks();
        if (answers.streamsClosed - closedBeforeSession != (streamId + 1) / 2) {
            throw new IllegalStateException("stream " + streamId + " is still open after its response");
        }
        toClient();
        return readResponse(streamId);
    }

    /** Takes the response frames off the client and checks them; returns how many there were (two). */
    private int readResponse(int streamId) {
        int frames = 0;
        boolean replied = false;
        boolean finished = false;
        for (Object frame; (frame = client.readInbound()) != null;) {
            frames++;
            try {
                if (frame instanceof SpdySynReplyFrame && ((SpdySynReplyFrame) frame).streamId() == streamId) {
                    replied = true;
                } else if (frame instanceof SpdyDataFrame && ((SpdyDataFrame) frame).streamId() == streamId
                        && ((SpdyDataFrame) frame).isLast()
                        && ((SpdyDataFrame) frame).content().readableBytes() == SmallGet.BODY_LENGTH) {
                    finished = true;
                    bodyBytesNotCredited += SmallGet.BODY_LENGTH;
                }
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }
        if (frames != 2 || !replied || !finished) {
            throw new IllegalStateException("stream " + streamId + ": expected SYN_REPLY and DATA (FIN) with "
                    + SmallGet.BODY_LENGTH + " bytes, got " + frames + " frames (reply " + replied + ", body "
                    + finished + ")");
        }
        if (bodyBytesNotCredited >= SESSION_CREDIT_BYTES) {
            client.writeOutbound(new DefaultSpdyWindowUpdateFrame(0, bodyBytesNotCredited));
            bodyBytesNotCredited = 0;
            toProxy();
        }
        return frames;
    }

    /** What the client wrote, as bytes, read by the proxy's connection. */
    private void toProxy() {
        for (Object bytes; (bytes = client.readOutbound()) != null;) {
            proxy.writeInbound(bytes);
        }
    }

    /** What the proxy wrote, as bytes, read by the client. */
    private void toClient() {
        for (Object bytes; (bytes = proxy.readOutbound()) != null;) {
            client.writeInbound(bytes);
        }
    }

    @TearDown(Level.Trial)
    public void closeSession() {
        proxy.finishAndReleaseAll();
        client.finishAndReleaseAll();
    }
}
