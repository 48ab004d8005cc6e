package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.GoAway;
import dev.ferry.spdy.client.Response;
import dev.ferry.spdy.client.SessionOptions;
import dev.ferry.spdy.client.SpdySession;
import dev.ferry.spdy.client.Tunnel;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The application's side of a session: every call hands its work to the {@link SessionHandler} on the event loop and,
 * when it blocks, waits at most the session's timeout.
 */
final class DefaultSpdySession implements SpdySession {

    private final Channel channel;
    private final SessionHandler handler;
    private final SessionOptions options;
    private final Executor executor;
    private final String protocol;
    private final String tlsVersion;
    private final long timeoutNanos;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final ClientStream.Io io = new ClientStream.Io() {
        @Override
        public void consumed(ClientStream stream, int bytes) {
            try {
                execute(() -> handler.consumed(stream, bytes));
            } catch (IOException e) {
                // The client has shut down: there is no window left to give back.
            }
        }

        @Override
        public void data(ClientStream stream, byte[] chunk) throws IOException {
            execute(() -> handler.enqueueData(stream, chunk));
        }

        @Override
        public void fin(ClientStream stream) throws IOException {
            execute(() -> handler.finishLocal(stream));
        }
    };

    DefaultSpdySession(Channel channel, SessionHandler handler, SessionOptions options, Executor executor,
            Completions completions, String protocol, String tlsVersion) {
        this.channel = channel;
        this.handler = handler;
        this.options = options;
        this.executor = executor;
        this.protocol = protocol;
        this.tlsVersion = tlsVersion;
        this.timeoutNanos = options.timeout().toNanos();
        channel.closeFuture().addListener(f -> completions.complete(closed, null));
    }

    @Override
    public String negotiatedProtocol() {
        return protocol;
    }

    @Override
    public String tlsVersion() {
        return tlsVersion;
    }

    // ---- requests

    @Override
    public Response get(String absoluteUrl) throws IOException {
        return get(absoluteUrl, Map.of());
    }

    @Override
    public Response get(String absoluteUrl, Map<String, String> headers) throws IOException {
        checkNotOnEventLoop();
        ClientStream stream = newStream(RequestHeaders.request("GET", absoluteUrl, headers), true);
        return awaitReply(stream, open(stream, this::response), "GET " + absoluteUrl);
    }

    @Override
    public CompletableFuture<Response> send(String method, String absoluteUrl, Map<String, String> headers,
            InputStream body) {
        ClientStream stream = newStream(RequestHeaders.request(method, absoluteUrl, headers), body == null);
        CompletableFuture<Response> response = open(stream, this::response);
        if (body != null) {
            executor.execute(() -> pump(body, stream));
        }
        return response;
    }

    @Override
    public CompletableFuture<Response> send(String method, String absoluteUrl, Map<String, String> headers,
            byte[] body) {
        Objects.requireNonNull(body, "body");
        Map<String, String> withLength = new LinkedHashMap<>();
        boolean hasLength = false;
        if (headers != null) {
            for (Map.Entry<String, String> header : headers.entrySet()) {
                hasLength |= header.getKey().equalsIgnoreCase("content-length");
                withLength.put(header.getKey(), header.getValue());
            }
        }
        if (!hasLength) {
            withLength.put("content-length", Integer.toString(body.length));
        }
        return send(method, absoluteUrl, withLength, new ByteArrayInputStream(body));
    }

    @Override
    public Tunnel connect(String hostPort) throws IOException {
        return connect(hostPort, Map.of());
    }

    @Override
    public Tunnel connect(String hostPort, Map<String, String> headers) throws IOException {
        checkNotOnEventLoop();
        ClientStream stream = newStream(RequestHeaders.connect(hostPort, headers), false);
        return awaitReply(stream, open(stream, this::tunnel), "CONNECT " + hostPort);
    }

    @Override
    public CompletableFuture<Tunnel> connectAsync(String hostPort, Map<String, String> headers) {
        ClientStream stream = newStream(RequestHeaders.connect(hostPort, headers), false);
        return open(stream, this::tunnel);
    }

    private ClientStream newStream(SpdyHeaders headers, boolean finOnSyn) {
        return new ClientStream(headers, finOnSyn, timeoutNanos, options.maxDataFrame(), io);
    }

    private Function<Reply, Response> response(ClientStream stream) {
        return reply -> new DefaultResponse(stream, reply, this);
    }

    private Function<Reply, Tunnel> tunnel(ClientStream stream) {
        return reply -> new DefaultTunnel(stream, reply, this);
    }

    private <T> CompletableFuture<T> open(ClientStream stream, Function<ClientStream, Function<Reply, T>> wrap) {
        CompletableFuture<T> result = stream.reply.thenApply(wrap.apply(stream));
        try {
            execute(() -> handler.open(stream));
        } catch (IOException e) {
            stream.reply.completeExceptionally(e);
        }
        return result;
    }

    private <T> T awaitReply(ClientStream stream, CompletableFuture<T> reply, String what) throws IOException {
        try {
            return reply.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            cancel(stream, false, "no reply within " + options.timeout());
            throw new SocketTimeoutException("no reply to " + what + " within " + options.timeout());
        } catch (ExecutionException e) {
            throw Failures.rethrowable(e.getCause());
        } catch (InterruptedException e) {
            cancel(stream, false, "the waiting thread was interrupted");
            throw Failures.interrupted("waiting for the reply to " + what);
        }
    }

    /** Sends a request body from a client thread; closes it at its end. */
    private void pump(InputStream body, ClientStream stream) {
        try (InputStream in = body) {
            byte[] buffer = new byte[options.maxDataFrame()];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                stream.outbound.write(buffer, 0, n);
            }
            stream.outbound.close();
        } catch (IOException e) {
            // When the stream itself failed this does nothing; when the body failed the stream is reset.
            cancel(stream, false, "the request body failed: " + e);
        }
    }

    void cancel(ClientStream stream, boolean graceful, String detail) {
        try {
            execute(() -> handler.cancel(stream, graceful, detail));
        } catch (IOException e) {
            // The client has shut down; the stream ended with it.
        }
    }

    // ---- session-level

    @Override
    public Duration ping() throws IOException {
        return callOnEventLoop("the PING echo", handler::ping);
    }

    @Override
    public GoAway goAwayReceived() {
        return handler.goAwayReceived();
    }

    @Override
    public CompletableFuture<GoAway> goAway() {
        return handler.goAway();
    }

    @Override
    public Map<Integer, Integer> settingsReceived() {
        return handler.settings();
    }

    @Override
    public CompletableFuture<Map<Integer, Integer>> settings() {
        return handler.firstSettings();
    }

    @Override
    public CompletableFuture<Integer> resetReceived(int streamId) {
        return handler.resetFuture(streamId);
    }

    @Override
    public int reserveStreamId() throws IOException {
        return callOnEventLoop("a stream id", id -> {
            try {
                id.complete(handler.reserveStreamId());
            } catch (RuntimeException e) {
                id.completeExceptionally(e);
            }
        });
    }

    @Override
    public void sendFrame(SpdyFrame frame) throws IOException {
        checkNotOnEventLoop();
        // Described now: once written, a DATA frame's buffer is released, and its toString() would read it.
        String description = frame.toString();
        ChannelPromise written = channel.newPromise();
        try {
            execute(() -> handler.sendFrame(frame, written));
        } catch (IOException e) {
            ReferenceCountUtil.release(frame);
            throw e;
        }
        awaitWrite(written, description);
    }

    @Override
    public void sendBytes(byte[] bytes) throws IOException {
        checkNotOnEventLoop();
        byte[] copy = bytes.clone();
        ChannelPromise written = channel.newPromise();
        execute(() -> handler.sendBytes(Unpooled.wrappedBuffer(copy), written));
        awaitWrite(written, copy.length + " raw bytes");
    }

    private void awaitWrite(ChannelPromise written, String what) throws IOException {
        try {
            if (!written.await(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new SocketTimeoutException("writing " + what + " took longer than " + options.timeout());
            }
        } catch (InterruptedException e) {
            throw Failures.interrupted("writing " + what);
        }
        if (!written.isSuccess()) {
            throw new IOException("could not write " + what + ": " + written.cause(), written.cause());
        }
    }

    @Override
    public List<String> peerViolations() {
        return handler.violations();
    }

    @Override
    public int openStreams() throws IOException {
        return callOnEventLoop("the stream count", count -> count.complete(handler.openStreams()));
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public CompletableFuture<Void> closed() {
        return closed;
    }

    @Override
    public void close() {
        try {
            execute(handler::shutdown);
        } catch (IOException e) {
            channel.close();
        }
        if (!channel.eventLoop().inEventLoop()
                && !channel.closeFuture().awaitUninterruptibly(timeoutNanos, TimeUnit.NANOSECONDS)) {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "SPDY session " + channel.localAddress() + " -> " + channel.remoteAddress() + " (" + tlsVersion + ")";
    }

    // ---- plumbing

    private void execute(Runnable task) throws IOException {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            throw new IOException("the SPDY client has been closed", e);
        }
    }

    /** Runs {@code task} on the event loop and waits (at most the timeout) for the result it completes. */
    private <T> T callOnEventLoop(String what, Consumer<CompletableFuture<T>> task) throws IOException {
        checkNotOnEventLoop();
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> task.accept(result));
        return await(result, what);
    }

    private <T> T await(CompletableFuture<T> future, String what) throws IOException {
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no " + what + " within " + options.timeout());
        } catch (ExecutionException e) {
            throw Failures.rethrowable(e.getCause());
        } catch (InterruptedException e) {
            throw Failures.interrupted("waiting for " + what);
        }
    }

    private void checkNotOnEventLoop() {
        if (channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("blocking call on the session's event loop");
        }
    }
}
