package dev.ferry.itests;

import dev.ferry.spdy.client.Negotiation;
import dev.ferry.spdy.client.NegotiationException;
import dev.ferry.spdy.client.Response;
import dev.ferry.spdy.client.SessionOptions;
import dev.ferry.spdy.client.SpdyClient;
import dev.ferry.spdy.client.SpdySession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SPDY GETs from several threads on one shared session to the TLS listener. A session that got GOAWAY (the spdy codec
 * stopped or was reconfigured, a listener closed) finishes its streams and is replaced by a new one for the next
 * stream; while TLS negotiates http/1.1 instead (the codec is away) SPDY is skipped and tried again shortly. A stream
 * the GOAWAY says was never processed is retried, as SPDY/3.1 allows; every other stream must complete intact.
 */
final class SpdyGetLoop {

    private static final long RETRY_NEGOTIATION_MILLIS = 200;
    private static final long FAILURE_PAUSE_MILLIS = 50;
    private static final int MAX_SESSIONS = 500;

    private final SpdyClient client;
    private final InetSocketAddress proxy;
    private final LoadLedger ledger;
    private final SessionOptions options = SessionOptions.defaults().withTimeout(Duration.ofSeconds(10));
    private final List<SpdySession> opened = new ArrayList<>();
    private SpdySession current;
    private long skipUntilNanos;

    SpdyGetLoop(SpdyClient client, int httpsPort, LoadLedger ledger) {
        this.client = client;
        this.proxy = new InetSocketAddress("127.0.0.1", httpsPort);
        this.ledger = ledger;
    }

    /**
     * One GET on the shared session; records its outcome. Returns false (recording nothing but a skip) when SPDY is
     * not offered right now.
     */
    boolean getOnce(String url, byte[] expected) throws InterruptedException {
        long start = System.nanoTime();
        SpdySession session;
        try {
            session = session();
        } catch (IOException e) {
            ledger.failed(LoadLedger.Traffic.SPDY, start, e);
            Thread.sleep(RETRY_NEGOTIATION_MILLIS);
            return true;
        }
        if (session == null) {
            Thread.sleep(RETRY_NEGOTIATION_MILLIS);
            return false;
        }
        try (Response response = session.get(url)) {
            byte[] body = response.bodyBytes();
            if (response.status() != 200) {
                throw new ExchangeFailure("status-" + response.status(), "SPDY " + response.statusLine() + " for "
                        + url + "; Proxy-Status: " + response.header("proxy-status"));
            }
            if (!Arrays.equals(expected, body)) {
                throw new ExchangeFailure("wrong-body", "SPDY " + url + ": " + body.length + " bytes, expected "
                        + expected.length);
            }
            ledger.succeeded(LoadLedger.Traffic.SPDY, start);
        } catch (IOException e) {
            if (neverProcessed(session, e)) {
                ledger.retried(LoadLedger.Traffic.SPDY, "stream not processed before GOAWAY: " + e.getMessage());
            } else {
                ledger.failed(LoadLedger.Traffic.SPDY, start, e);
                Thread.sleep(FAILURE_PAUSE_MILLIS);
            }
        }
        return true;
    }

    /** The shared session, a new one when it has ended or got GOAWAY; null while TLS does not offer spdy/3.1. */
    private synchronized SpdySession session() throws IOException {
        if (current != null && current.isOpen() && current.goAwayReceived() == null) {
            return current;
        }
        if (System.nanoTime() < skipUntilNanos || opened.size() >= MAX_SESSIONS) {
            return null;
        }
        try {
            current = client.open(proxy, Negotiation.ALPN, options);
            opened.add(current);
            return current;
        } catch (NegotiationException e) {
            ledger.retried(LoadLedger.Traffic.SPDY, "SPDY skipped: " + e.getMessage());
            current = null;
            skipUntilNanos = System.nanoTime() + RETRY_NEGOTIATION_MILLIS * 1_000_000;
            return null;
        }
    }

    /** GOAWAY's last-good-stream rule: the stream was above it, or opened after it arrived; nothing was processed. */
    private static boolean neverProcessed(SpdySession session, IOException e) {
        if (session.goAwayReceived() == null) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("was not processed") || message.contains("no new streams on this session")) {
                return true;
            }
        }
        return false;
    }

    /** What the proxy did against SPDY/3.1 on any session, one line each. */
    synchronized List<String> violations() {
        List<String> all = new ArrayList<>();
        for (SpdySession s : opened) {
            all.addAll(s.peerViolations());
        }
        return all;
    }

    synchronized int sessionsOpened() {
        return opened.size();
    }
}
