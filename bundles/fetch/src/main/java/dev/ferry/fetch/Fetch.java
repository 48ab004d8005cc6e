package dev.ferry.fetch;

import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.Future;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One fetch: ask the connector for a connection (resolution, pool, connect jobs, fallback), send the request on it
 * through Netty's HttpClientCodec, copy the response body out, close the connection. The main thread waits and
 * writes; everything on the connection happens on its event loop.
 */
final class Fetch {

    /** The response limits: a status line, a header section, and the largest body piece decoded at once. */
    static final int MAX_INITIAL_LINE_LENGTH = 8192;
    static final int MAX_HEADER_SIZE = 65536;
    static final int MAX_CHUNK_SIZE = 65536;

    private final FetchOptions options;
    private final UpstreamConnector connector;
    private final EventLoop loop;
    private final VerboseTrace trace;

    /** @param trace the -v output, or null */
    Fetch(FetchOptions options, UpstreamConnector connector, EventLoop loop, VerboseTrace trace) {
        this.options = options;
        this.connector = connector;
        this.loop = loop;
        this.trace = trace;
    }

    /** Fetches the URL into {@code output}; returns normally once the whole response was written. */
    void run(BodyOutput output) throws FetchFailure, InterruptedException {
        Deadline deadline = Deadline.after(options.maxTimeNanos());
        ConnectEvents events = trace == null ? ConnectEvents.NONE : trace;
        UpstreamLease connection = connect(UpstreamRequest.http(options.url(), "").withEvents(events),
                deadline);
        if (trace != null) {
            trace.connected(connection.proxy());
        }
        Channel channel = connection.channel();
        BlockingQueue<ResponseEvent> queue = new LinkedBlockingQueue<>();
        ResponseRelay relay = new ResponseRelay(queue);
        FullHttpRequest request = RequestHead.build(options, connection);
        if (trace != null) {
            trace.request(request);
        }
        try {
            channel.eventLoop().execute(() -> send(channel, relay, request, queue));
            new ResponseCopier(channel, queue, deadline, output, trace).copy();
        } finally {
            close(channel, relay, queue);
        }
    }

    private UpstreamLease connect(UpstreamRequest request, Deadline deadline)
            throws FetchFailure, InterruptedException {
        Future<UpstreamLease> connecting = connector.connect(request, loop);
        if (!connecting.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
            if (!connecting.cancel(false)) {
                // it completed just now: nobody will use the connection
                connecting.addListener(f -> {
                    if (f.isSuccess()) {
                        connecting.getNow().close();
                    }
                });
            }
            throw deadline.expired("while connecting");
        }
        if (!connecting.isSuccess()) {
            throw FetchFailure.connectFailed(connecting.cause());
        }
        return connecting.getNow();
    }

    /** On the event loop: codec and relay behind whatever the connect job left, request out, first read. */
    private static void send(Channel channel, ResponseRelay relay, FullHttpRequest request,
            BlockingQueue<ResponseEvent> queue) {
        channel.config().setAutoRead(false);
        channel.pipeline().addLast("ferry-fetch-http",
                new HttpClientCodec(MAX_INITIAL_LINE_LENGTH, MAX_HEADER_SIZE, MAX_CHUNK_SIZE, true));
        channel.pipeline().addLast("ferry-fetch-relay", relay);
        // a failed write releases the request; the failure ends the fetch
        channel.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                queue.add(ResponseEvent.failure(f.cause()));
            }
        });
        channel.read();
    }

    /** Closes the connection; after the relay is abandoned (on the loop) nothing more is queued, so drain for good. */
    private static void close(Channel channel, ResponseRelay relay, BlockingQueue<ResponseEvent> queue) {
        channel.eventLoop().submit(() -> {
            relay.abandon();
            channel.close();
        }).awaitUninterruptibly();
        for (ResponseEvent event = queue.poll(); event != null; event = queue.poll()) {
            event.discard();
        }
    }
}
