package dev.ferry.spdy.client;

import io.netty.handler.codec.spdy.SpdyFrame;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One TLS connection to the proxy speaking SPDY/3.1. Thread-safe: any number of threads may open streams at once;
 * the stream ids (odd, from 1, increasing) are given in the order the streams go out. Blocking methods must not be
 * called on the session's event loop, e.g. from a callback of one of the futures (those complete on client threads,
 * never on the event loop, so blocking there is allowed).
 * <p>
 * Request headers: names are sent in lower case. {@code http://} URLs become {@code :method}, {@code :path} (the full
 * URL, as Chrome sends to a proxy), {@code :version HTTP/1.1}, {@code :host} (the URL's authority) and
 * {@code :scheme}; a {@code Host} header replaces {@code :host}; a name starting with {@code :} replaces that
 * pseudo-header, and a null value removes a header. Other headers go out as given (connection-specific headers too,
 * so a test can see what the proxy does with them).
 */
public interface SpdySession extends AutoCloseable {

    /** The protocol TLS selected: always {@code spdy/3.1}. */
    String negotiatedProtocol();

    /** The TLS version, e.g. {@code TLSv1.3}. */
    String tlsVersion();

    /** GET with no extra headers; see {@link #get(String, Map)}. */
    Response get(String absoluteUrl) throws IOException;

    /**
     * Sends a GET for an {@code http://} URL (with FIN on the SYN_STREAM) and waits for the reply's headers; the body
     * streams afterwards.
     *
     * @throws SpdyStreamException when the proxy resets the stream before its reply
     * @throws IOException when the session ends or the reply does not come within the timeout (the stream is then
     *         cancelled)
     */
    Response get(String absoluteUrl, Map<String, String> headers) throws IOException;

    /**
     * Sends a request for an {@code http://} URL. A body is read on a client thread and sent in DATA frames as the
     * proxy's windows allow, FIN on the last; the body stream is closed at its end. A null body sends FIN on the
     * SYN_STREAM. The future completes with the reply's headers (possibly before the body has been sent), or fails
     * with {@link SpdyStreamException} or an {@link IOException}.
     */
    CompletableFuture<Response> send(String method, String absoluteUrl, Map<String, String> headers,
            InputStream body);

    /** Like {@link #send(String, String, Map, InputStream)}, with a {@code content-length} unless one is given. */
    CompletableFuture<Response> send(String method, String absoluteUrl, Map<String, String> headers, byte[] body);

    /** {@link #connect(String, Map)} with no extra headers. */
    Tunnel connect(String hostPort) throws IOException;

    /**
     * Opens a CONNECT tunnel ({@code :method CONNECT}, {@code :path} and {@code :host} = {@code host:port},
     * {@code :version HTTP/1.1}, no FIN) and waits for the reply's headers. A non-200 answer is returned, not thrown.
     */
    Tunnel connect(String hostPort, Map<String, String> headers) throws IOException;

    /** The non-blocking form of {@link #connect(String, Map)}. */
    CompletableFuture<Tunnel> connectAsync(String hostPort, Map<String, String> headers);

    /** Sends a PING and waits for its echo; returns the round trip. */
    Duration ping() throws IOException;

    /** The GOAWAY the proxy sent, or null. */
    GoAway goAwayReceived();

    /** Completes when the proxy sends GOAWAY (never, if it does not). */
    CompletableFuture<GoAway> goAway();

    /** Every setting the proxy sent so far (id → value; ids as in {@code SpdySettingsFrame}), latest value wins. */
    Map<Integer, Integer> settingsReceived();

    /** Completes with {@link #settingsReceived()} when the proxy's first SETTINGS frame arrives. */
    CompletableFuture<Map<Integer, Integer>> settings();

    /**
     * Completes with the status code of the RST_STREAM the proxy sends for this stream id — also for ids the session
     * does not know, e.g. from {@link #sendFrame}. Already-received resets complete at once.
     */
    CompletableFuture<Integer> resetReceived(int streamId);

    /**
     * Takes the next client stream id for a hand-made SYN_STREAM, so that it and the session's own streams stay
     * increasing. Frames the proxy sends on a reserved id are ignored (RST_STREAM is still reported by
     * {@link #resetReceived}).
     */
    int reserveStreamId() throws IOException;

    /**
     * Sends a frame as it is, past the session's bookkeeping: a DATA frame uses up no window, a RST_STREAM or FIN does
     * not end the session's own stream. For protocol tests of the proxy (unknown streams, window overruns, …).
     * Takes ownership of the frame's buffer. Returns once the frame has been written.
     */
    void sendFrame(SpdyFrame frame) throws IOException;

    /** Writes bytes straight into TLS, below the SPDY codec: for malformed frames. Returns once written. */
    void sendBytes(byte[] bytes) throws IOException;

    /**
     * What the proxy did against SPDY/3.1 that this client noticed (e.g. DATA beyond a window, DATA before SYN_REPLY,
     * frames on a stream after its FIN), one line each, oldest first. A conforming proxy leaves this empty.
     */
    List<String> peerViolations();

    /** Streams open or waiting for a concurrency slot right now. */
    int openStreams() throws IOException;

    /** True until the connection has closed. */
    boolean isOpen();

    /** Completes when the connection has closed, for any reason. */
    CompletableFuture<Void> closed();

    /** Sends GOAWAY (OK), closes the connection and fails the streams still open. Waits at most the timeout. */
    @Override
    void close();
}
