package dev.ferry.engine.impl;

import dev.ferry.http1.impl.Http1ClientCodec;
import dev.ferry.http1.impl.Http1Limits;
import dev.ferry.http1.impl.Http1ServerCodec;
import dev.ferry.jmh.SmallGet;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
 * One whole HTTP/1.1 exchange through the proxy on a keep-alive client connection, on Netty
 * {@link EmbeddedChannel}s (no sockets, no event loop threads).
 *
 * <p>One op: the client's request bytes ({@code GET http://127.0.0.1:8080/100b HTTP/1.1} with Host, User-Agent,
 * Accept and Accept-Encoding, as curl sends it; {@link SmallGet}) arrive in one read on the client connection, whose
 * pipeline is the http1 bundle's {@link Http1ServerCodec} (its request deadlines and Netty's HttpServerCodec, at the
 * bundle's default limits) in front of the engine's {@link ExchangeHandler}. The handler parses the target, takes the
 * hop-by-hop headers off and adds Via, gets a lease from the connector (here {@link KeepAliveOrigin}: the one warm
 * keep-alive connection, as a pool lends it), and writes the request in origin form through the http1 bundle's
 * client codec. The origin's canned answer ({@code 200}, nginx's headers, a 100-byte body, one read) is decoded by
 * that codec and relayed by the engine's OriginHandler; the exchange ends, the lease goes back, and the client
 * connection reads again. Then the client's response bytes are taken off its channel and released. Every buffer of
 * the op (request, what went to the origin, response) is released within it.
 *
 * <p>Not in the op: sockets and system calls, the event loops, the pool's bookkeeping (the connector stands in for
 * it), plugins (no exchange hooks bound), and the access log line (the {@code ferry.access} logger is off here, see
 * simplelogger.properties). The connection and the origin connection are built once per trial and serve every op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Http1HeadPath {

    private static final byte[] REQUEST = SmallGet.http1Request();

    private EmbeddedChannel client;
    private KeepAliveOrigin origin;
    /** What one exchange sends the client, in bytes: every op must send exactly that. */
    private int responseLength;

    @Setup(Level.Trial)
    public void openConnection() {
        // the bundles' defaults, as Configuration Admin gives them without a configuration
        Http1Limits limits = Converters.standardConverter().convert(Map.of()).to(Http1Limits.class);
        Http1ServerCodec serverCodec = new Http1ServerCodec(limits);
        origin = new KeepAliveOrigin(SmallGet.http1Response());
        // the listener's defaults: serviceWaitMillis 5000, poolPartition "client", pluginTimeoutMillis 5000
        ExchangeServices services = new ExchangeServices(5000, true, 5000);
        services.connector.bind(origin);
        services.clientCodec.bind(new Http1ClientCodec(limits));
        client = new EmbeddedChannel();
        serverCodec.configure(client.pipeline(), () -> new ExchangeHandler(services, serverCodec));
        checkFirstExchange();
    }

    /** One exchange outside the measurement, checked on both wires: the op must do what it says. */
    private void checkFirstExchange() {
        origin.recordRequest = true;
        client.writeInbound(client.alloc().buffer(REQUEST.length).writeBytes(REQUEST));
        origin.answer();
        origin.recordRequest = false;
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (Object out; (out = client.readOutbound()) != null;) {
            ByteBuf bytes = (ByteBuf) out;
            byte[] chunk = new byte[bytes.readableBytes()];
            bytes.readBytes(chunk);
            wire.writeBytes(chunk);
            bytes.release();
        }
        String response = wire.toString(StandardCharsets.ISO_8859_1);
        String sent = origin.lastRequest;
        if (sent == null || !sent.startsWith("GET " + SmallGet.PATH + " HTTP/1.1\r\n")) {
            throw new IllegalStateException("the origin did not get the request in origin form:\n" + sent);
        }
        if (!response.startsWith("HTTP/1.1 200 OK\r\n") || !response.endsWith("\r\n\r\n" + new String(SmallGet.body(),
                StandardCharsets.ISO_8859_1)) || !client.isActive()) {
            throw new IllegalStateException("the client did not get the 200 with its 100 bytes on a connection that "
                    + "stays open:\n" + response);
        }
        responseLength = wire.size();
        // once more: from here on the origin connection is a reused one, as in every measured op
        exchange();
    }

    @Benchmark
    public int exchange() {
        client.writeInbound(client.alloc().buffer(REQUEST.length).writeBytes(REQUEST));
        origin.answer();
        int received = 0;
        for (Object out; (out = client.readOutbound()) != null;) {
            ByteBuf bytes = (ByteBuf) out;
            received += bytes.readableBytes();
            bytes.release();
        }
        if (received != responseLength) {
            throw new IllegalStateException("the client got " + received + " bytes, not the " + responseLength
                    + " of the first exchange");
        }
        return received;
    }

    @TearDown(Level.Trial)
    public void closeConnection() {
        client.finishAndReleaseAll();
        origin.close();
        if (origin.connectionsMade != 1) {
            throw new IllegalStateException("the engine opened " + origin.connectionsMade
                    + " origin connections; keep-alive should have kept one");
        }
    }
}
