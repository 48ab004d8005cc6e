package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.spi.TunnelRelay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One client connection served by a real {@link ExchangeHandler}: bytes in and out of an {@link EmbeddedChannel} with
 * an HTTP/1.1 server codec in front of the handler, and the origin connections as {@link EmbeddedChannel}s lent by a
 * {@link TestUpstream}. Both sides are checked on the wire, decoded again by Netty's own HTTP decoders.
 */
final class ExchangeFixture {

    /** A response as the client received it. */
    static final class Reply {
        final int status;
        final HttpHeaders headers;
        final String body;

        Reply(FullHttpResponse response) {
            status = response.status().code();
            headers = new DefaultHttpHeaders().set(response.headers());
            body = response.content().toString(StandardCharsets.ISO_8859_1);
        }

        String header(CharSequence name) {
            return headers.get(name);
        }
    }

    /** A request as the origin received it. */
    static final class Sent {
        final String method;
        final String uri;
        final HttpHeaders headers;
        final String body;

        Sent(FullHttpRequest request) {
            method = request.method().name();
            uri = request.uri();
            headers = new DefaultHttpHeaders().set(request.headers());
            body = request.content().toString(StandardCharsets.ISO_8859_1);
        }

        String header(CharSequence name) {
            return headers.get(name);
        }
    }

    /** A tunnel relay that records what it is asked to join and finishes when the test says. */
    static final class RecordingRelay implements TunnelRelay {
        Channel client;
        Channel upstream;
        Promise<Stats> done;

        @Override
        public Future<Stats> relay(Channel client, Channel upstream) {
            this.client = client;
            this.upstream = upstream;
            done = client.eventLoop().newPromise();
            return done;
        }
    }

    final ExchangeServices services = new ExchangeServices(50, true, 200);
    final TestUpstream upstream = new TestUpstream();
    final RecordingRelay relay = new RecordingRelay();
    final EmbeddedChannel client = new EmbeddedChannel();
    private final StringBuilder clientWire = new StringBuilder();
    private final EmbeddedChannel responseDecoder = new EmbeddedChannel(new HttpResponseDecoder(),
            new HttpObjectAggregator(1 << 20));
    private final Map<Channel, StringBuilder> originWires = new IdentityHashMap<>();
    private final Map<Channel, EmbeddedChannel> requestDecoders = new IdentityHashMap<>();
    /**
     * Exceptions that reached the tail of an origin connection's pipeline (logged by Netty in production), which an
     * {@link EmbeddedChannel} would otherwise rethrow: e.g. HttpClientCodec's PrematureChannelClosureException after
     * a response ended by the close, once the engine has taken its handler off.
     */
    final List<Throwable> originTailExceptions = new ArrayList<>();

    /** With the connector, the client codec and the relay all running. */
    ExchangeFixture() {
        this(true);
    }

    /** @param bound whether the connector, the client codec and the relay are bound from the start */
    ExchangeFixture(boolean bound) {
        if (bound) {
            services.connector.bind(upstream);
            services.clientCodec.bind(TestCodecs.CLIENT);
            services.relay.bind(relay);
        }
        TestCodecs.SERVER.configure(client.pipeline(), () -> new ExchangeHandler(services, TestCodecs.SERVER));
        // The service wait's timer runs on the client's loop: its time moves only by advance().
        client.freezeTime();
    }

    // ---- the client side

    /** The client sends {@code text} (ISO-8859-1), in one read. */
    void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) {
        ByteBuf buf = client.alloc().buffer(bytes.length).writeBytes(bytes);
        client.writeInbound(buf);
        client.runPendingTasks();
    }

    /** Everything the client has received so far, as it came on the wire. */
    String clientWire() {
        client.runPendingTasks();
        for (ByteBuf out; (out = client.readOutbound()) != null;) {
            clientWire.append(out.toString(StandardCharsets.ISO_8859_1));
            responseDecoder.writeInbound(out);
        }
        return clientWire.toString();
    }

    /** The responses completed on the client's wire since the last call. */
    List<Reply> replies() {
        clientWire();
        return drain(responseDecoder, Reply::new);
    }

    /** The one response completed since the last call. */
    Reply reply() {
        List<Reply> replies = replies();
        assertEquals("responses received by the client", 1, replies.size());
        return replies.get(0);
    }

    /**
     * The client's connection goes away. Through the pipeline, not {@link EmbeddedChannel#close()}: that one also
     * cancels every timer of the embedded loop, which a real event loop, shared by many channels, does not.
     */
    void clientLeaves() {
        client.pipeline().close();
        client.runPendingTasks();
    }

    /** Lets the client's event loop run its timers {@code millis} ahead. */
    void advance(long millis) {
        client.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        client.runPendingTasks();
    }

    // ---- the origin side

    /** Everything {@code lease}'s connection has carried towards the origin so far, as on the wire. */
    String originWire(TestUpstream.Lease lease) {
        EmbeddedChannel ch = lease.channel;
        StringBuilder wire = originWires.computeIfAbsent(ch, c -> new StringBuilder());
        EmbeddedChannel decoder = requestDecoders.computeIfAbsent(ch, c -> new EmbeddedChannel(
                new HttpRequestDecoder(), new HttpObjectAggregator(1 << 24)));
        for (ByteBuf out; (out = ch.readOutbound()) != null;) {
            wire.append(out.toString(StandardCharsets.ISO_8859_1));
            decoder.writeInbound(out);
        }
        return wire.toString();
    }

    /** The requests completed on {@code lease}'s connection since the last call. */
    List<Sent> sent(TestUpstream.Lease lease) {
        originWire(lease);
        return drain(requestDecoders.get(lease.channel), Sent::new);
    }

    /** The one request completed on {@code lease}'s connection since the last call. */
    Sent request(TestUpstream.Lease lease) {
        List<Sent> sent = sent(lease);
        assertEquals("requests received on " + lease, 1, sent.size());
        return sent.get(0);
    }

    /** The origin sends {@code text} on {@code lease}'s connection. */
    void respond(TestUpstream.Lease lease, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        lease.channel.writeInbound(lease.channel.alloc().buffer(bytes.length).writeBytes(bytes));
        lease.channel.runPendingTasks();
        client.runPendingTasks();
    }

    /** The origin closes {@code lease}'s connection. */
    void originCloses(TestUpstream.Lease lease) {
        try {
            lease.channel.close();
            lease.channel.runPendingTasks();
        } catch (RuntimeException e) {
            originTailExceptions.add(e);
        }
        client.runPendingTasks();
    }

    private static <M extends FullHttpMessage, T> List<T> drain(EmbeddedChannel decoder, Function<M, T> copy) {
        List<T> out = new ArrayList<>();
        for (Object msg; (msg = decoder.readInbound()) != null;) {
            @SuppressWarnings("unchecked")
            M message = (M) msg;
            try {
                assertTrue("decodes cleanly: " + message, message.decoderResult().isSuccess());
                out.add(copy.apply(message));
            } finally {
                message.release();
            }
        }
        return out;
    }

    /** Closes everything, releasing whatever is still queued; the test then checks for leaks. */
    void close() {
        client.finishAndReleaseAll();
        for (EmbeddedChannel ch : upstream.channels) {
            finish(ch, originTailExceptions);
        }
        // The checking decoders complain about a response or request cut short: some tests make those.
        List<Throwable> ignored = new ArrayList<>();
        finish(responseDecoder, ignored);
        requestDecoders.values().forEach(ch -> finish(ch, ignored));
    }

    private static void finish(EmbeddedChannel ch, List<Throwable> exceptions) {
        try {
            ch.finishAndReleaseAll();
        } catch (RuntimeException e) {
            exceptions.add(e);
            ch.releaseOutbound();
            ch.releaseInbound();
        }
    }
}
