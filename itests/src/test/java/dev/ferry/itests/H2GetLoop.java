package dev.ferry.itests;

import dev.ferry.itests.H2Peer.Answer;
import dev.ferry.itests.H2Peer.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/2 GETs from several threads on one shared connection to the TLS listener, with Netty's HTTP/2 client. A
 * connection that got GOAWAY (the h2 codec stopped or was updated, a listener closed) finishes its streams and is
 * replaced by a new one for the next stream; while TLS negotiates something else (the codec is away) h2 is skipped
 * and tried again shortly. A stream the GOAWAY says was never processed (above its last stream id, or refused) is
 * retried, as RFC 9113 section 6.8 allows; every other stream must complete intact.
 */
final class H2GetLoop implements AutoCloseable {

    private static final long RETRY_NEGOTIATION_MILLIS = 200;
    private static final long FAILURE_PAUSE_MILLIS = 50;
    private static final int MAX_CONNECTIONS = 200;
    private static final Pattern GOAWAY = Pattern.compile("GOAWAY last stream (\\d+) (\\S+)");

    private final int port;
    private final LoadLedger ledger;
    private final List<H2Peer> opened = new ArrayList<>();
    private H2Peer current;
    private long skipUntilNanos;

    H2GetLoop(int httpsPort, LoadLedger ledger) {
        this.port = httpsPort;
        this.ledger = ledger;
    }

    /** One GET on the shared connection; records its outcome. Returns false when h2 is not offered right now. */
    boolean getOnce(String url, String expectedSha256, long expectedLength) throws InterruptedException {
        long start = System.nanoTime();
        H2Peer peer = peer();
        if (peer == null) {
            Thread.sleep(RETRY_NEGOTIATION_MILLIS);
            return false;
        }
        Request request = null;
        try {
            request = peer.get(url);
            Answer answer = request.answer.get(10, TimeUnit.SECONDS);
            if (answer.status != 200) {
                throw new ExchangeFailure("status-" + answer.status, "H2 " + answer.status + " for " + url
                        + "; Proxy-Status: " + answer.header("proxy-status"));
            }
            if (answer.length != expectedLength || !answer.sha256.equals(expectedSha256)) {
                throw new ExchangeFailure("wrong-body", "H2 " + url + ": " + answer.length + " bytes, expected "
                        + expectedLength);
            }
            ledger.succeeded(LoadLedger.Traffic.H2, start);
        } catch (ExecutionException | TimeoutException | ExchangeFailure e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (neverProcessed(peer, request, cause)) {
                ledger.retried(LoadLedger.Traffic.H2, "stream not processed before GOAWAY: " + cause.getMessage());
            } else {
                ledger.failed(LoadLedger.Traffic.H2, start, cause);
                Thread.sleep(FAILURE_PAUSE_MILLIS);
            }
        } catch (Exception e) {
            ledger.failed(LoadLedger.Traffic.H2, start, e);
            Thread.sleep(FAILURE_PAUSE_MILLIS);
        }
        return true;
    }

    /** The shared connection, a new one when it has ended or got GOAWAY; null while TLS does not offer h2. */
    private synchronized H2Peer peer() {
        if (current != null && current.channel.isActive() && lastStreamOfGoAway(current) < 0) {
            return current;
        }
        if (System.nanoTime() < skipUntilNanos || opened.size() >= MAX_CONNECTIONS) {
            return null;
        }
        try {
            current = new H2Peer(port);
            opened.add(current);
            return current;
        } catch (Exception | AssertionError e) {
            // ALPN chose another protocol (the codec is away), or the listener was between sockets.
            ledger.retried(LoadLedger.Traffic.H2, "skipped, not negotiated: " + e.getMessage());
            current = null;
            skipUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_NEGOTIATION_MILLIS);
            return null;
        }
    }

    /** The last stream id of the GOAWAY the connection received, or -1 for none. */
    private static int lastStreamOfGoAway(H2Peer peer) {
        for (String received : peer.errorsReceived()) {
            Matcher m = GOAWAY.matcher(received);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    /**
     * GOAWAY's rule: the stream was above its last stream id (the proxy ignored it; Netty's client closes it when the
     * GOAWAY arrives), was refused, or could not even be opened (or sent) before the connection closed.
     */
    private static boolean neverProcessed(H2Peer peer, Request request, Throwable failure) {
        boolean neverSent = request == null || request.streamId.isCompletedExceptionally();
        if (neverSent && !peer.channel.isActive()) {
            // The stream could not be opened or its HEADERS written: the connection had closed (the proxy closes
            // one that got GOAWAY once its streams are done, which can cross a stream the client is opening).
            return true;
        }
        int last = lastStreamOfGoAway(peer);
        if (last < 0) {
            return false;
        }
        if (request != null && request.streamId.isDone() && !request.streamId.isCompletedExceptionally()
                && request.streamId.join() > last) {
            return true;
        }
        String message = String.valueOf(failure.getMessage());
        return message.contains("REFUSED_STREAM") || message.contains("GOAWAY") || message.contains("Last-Stream-ID");
    }

    /** What the proxy did against HTTP/2 on any connection, or what Netty's client objected to, one line each. */
    synchronized List<String> violations() {
        List<String> all = new ArrayList<>();
        for (H2Peer peer : opened) {
            all.addAll(peer.errorsSent());
            for (String received : peer.errorsReceived()) {
                Matcher goAway = GOAWAY.matcher(received);
                boolean graceful = goAway.find() && goAway.group(2).equals("NO_ERROR");
                if (!graceful && !received.contains("REFUSED_STREAM")) {
                    all.add(received);
                }
            }
        }
        return all;
    }

    synchronized int connectionsOpened() {
        return opened.size();
    }

    @Override
    public synchronized void close() {
        opened.forEach(H2Peer::close);
    }
}
