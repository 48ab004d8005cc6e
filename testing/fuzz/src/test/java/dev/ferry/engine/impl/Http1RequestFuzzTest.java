package dev.ferry.engine.impl;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.fuzz.Http1Responses;
import dev.ferry.fuzz.LeakWatch;
import dev.ferry.http1.impl.Http1ClientCodec;
import dev.ferry.http1.impl.Http1Limits;
import dev.ferry.http1.impl.Http1ServerCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.osgi.util.converter.Converters;

/**
 * The HTTP/1 request path as a client drives it: the http1 bundle's server codec and the engine's exchange handler on
 * one connection, an origin that answers in one of a few ways, and time running out at the end so that every
 * deadline fires. Whatever the bytes, nothing escapes the pipeline, the client gets nothing or well-formed HTTP/1.1
 * responses, and every buffer is released.
 *
 * <p>Input: one control byte, then the client's bytes. The control byte's low two bits pick the origin's
 * {@link CannedOrigin.Behaviour}; the rest how many reads (1 to 64) the bytes arrive in.
 */
class Http1RequestFuzzTest {

    private static final LeakWatch LEAKS = new LeakWatch("Http1RequestFuzzTest");

    /** Small limits, so that the fuzzer reaches them (each at the codec's minimum of 64 bytes or a little more). */
    private static final Http1Limits LIMITS = Converters.standardConverter().convert(Map.of(
            "maxInitialLineLength", 128, "maxHeaderSize", 256, "maxChunkSize", 64)).to(Http1Limits.class);
    private static final Http1ServerCodec CODEC = new Http1ServerCodec(LIMITS);
    private static final Http1ClientCodec CLIENT_CODEC = new Http1ClientCodec(LIMITS);
    /** Stands for the method of a request the codec could not parse. */
    private static final HttpMethod UNPARSED = HttpMethod.valueOf("UNPARSED");

    /** Past every deadline: request head (30 s), request body progress (60 s), origin response (60 s). */
    private static final long LATER_SECONDS = 120;

    @FuzzTest(maxDuration = "20s")
    void serve(byte[] input) {
        if (input.length == 0) {
            return;
        }
        CannedOrigin origin = new CannedOrigin(CannedOrigin.Behaviour.values()[input[0] & 3]);
        int reads = 1 + ((input[0] & 0xff) >>> 2);
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);

        ExchangeServices services = new ExchangeServices(50, true, 200);
        services.connector.bind(origin);
        services.clientCodec.bind(CLIENT_CODEC);
        services.relay.bind(new ClosingRelay());
        EmbeddedChannel client = new EmbeddedChannel();
        client.freezeTime();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Queue<HttpMethod> methods = new ArrayDeque<>();
        try {
            CODEC.configure(client.pipeline(), () -> new ExchangeHandler(services, CODEC));
            // the methods in the order the codec read them, for telling which answers have no body
            String parser = client.pipeline().context(HttpServerCodec.class).name();
            client.pipeline().addAfter(parser, "methods", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof HttpRequest) {
                        // A request the codec could not parse (also one cut short by the close) is answered 400 with
                        // a body whatever its method said: its method cannot be trusted.
                        HttpRequest request = (HttpRequest) msg;
                        methods.add(request.decoderResult().isSuccess() ? request.method() : UNPARSED);
                    }
                    ctx.fireChannelRead(msg);
                }
            });
            int piece = Math.max(1, (bytes.length + reads - 1) / reads);
            for (int from = 0; from < bytes.length && client.isOpen(); from += piece) {
                int length = Math.min(piece, bytes.length - from);
                ByteBuf buf = client.alloc().buffer(length).writeBytes(bytes, from, length);
                client.writeInbound(buf);
                settle(client, origin, wire);
            }
            client.advanceTimeBy(LATER_SECONDS, TimeUnit.SECONDS);
            settle(client, origin, wire);
        } finally {
            client.finishAndReleaseAll();
            origin.channels.forEach(Http1RequestFuzzTest::finishOrigin);
        }
        Http1Responses.assertWellFormed(wire.toByteArray(), methods);
        LEAKS.afterInput();
    }

    /**
     * Releases what an origin connection still holds. An exception that reached the tail of its pipeline (Netty logs
     * it, e.g. the client codec's PrematureChannelClosureException after the engine took its handler off) would be
     * rethrown here by the EmbeddedChannel; the client side is what the target checks.
     */
    private static void finishOrigin(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (RuntimeException e) {
            ch.releaseOutbound();
            ch.releaseInbound();
        }
    }

    /** Runs the client's and the origins' loops until nothing moves, collecting what the client received. */
    private static void settle(EmbeddedChannel client, CannedOrigin origin, ByteArrayOutputStream wire) {
        for (int round = 0; round < 100; round++) {
            client.runPendingTasks();
            client.runScheduledPendingTasks();
            int before = origin.channels.size();
            boolean answered = origin.answer();
            for (int i = 0; i < origin.channels.size(); i++) {
                EmbeddedChannel ch = origin.channels.get(i);
                ch.runPendingTasks();
                // what the engine sent the origin was checked by the origin's codec; it is not needed afterwards
                ch.releaseOutbound();
            }
            boolean received = false;
            for (Object out; (out = client.readOutbound()) != null;) {
                received = true;
                try {
                    if (!(out instanceof ByteBuf)) {
                        throw new AssertionError("the client's wire carried a " + out.getClass().getName());
                    }
                    ByteBuf buf = (ByteBuf) out;
                    byte[] chunk = new byte[buf.readableBytes()];
                    buf.readBytes(chunk);
                    wire.writeBytes(chunk);
                } finally {
                    ReferenceCountUtil.release(out);
                }
            }
            if (!received && !answered && before == origin.channels.size()) {
                return;
            }
        }
    }
}
