package dev.ferry.itests;

import dev.ferry.spdy.client.SpdyStreamException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLException;

/**
 * Everything the test's clients did, with the time of each: every finished request or tunnel (succeeded, or failed
 * with a kind and details), and every transparent retry a real client would also make (a keep-alive connection closed
 * before any response byte, a SPDY stream the proxy's GOAWAY says it never processed, a session that negotiated
 * http/1.1 while the spdy codec was away). Thread-safe; read once the load has stopped.
 */
final class LoadLedger {

    /** The kinds of traffic the load mixes. */
    enum Traffic {
        GET("GET"), TUNNEL("CONNECT"), TUNNEL_TLS("CONNECT/TLS"), SPDY("SPDY"), H2("H2");

        final String label;

        Traffic(String label) {
            this.label = label;
        }
    }

    /** One request or tunnel; {@code failure} is null when it succeeded. */
    record Outcome(Traffic traffic, long startNanos, long endNanos, String failure, String detail) {
        boolean failed() {
            return failure != null;
        }

        long millis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    /** A retry that is no failure: what every client does after a stale keep-alive close or an unprocessed stream. */
    record Retry(Traffic traffic, long atNanos, String reason) {
    }

    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final Queue<Retry> retries = new ConcurrentLinkedQueue<>();

    void succeeded(Traffic traffic, long startNanos) {
        outcomes.add(new Outcome(traffic, startNanos, System.nanoTime(), null, null));
    }

    void failed(Traffic traffic, long startNanos, Throwable cause) {
        outcomes.add(new Outcome(traffic, startNanos, System.nanoTime(), kindOf(cause), describe(cause)));
    }

    /** A failure of the test's own action (a step that did not apply), shown with the traffic's failures. */
    void failedStep(String kind, String detail) {
        long now = System.nanoTime();
        outcomes.add(new Outcome(null, now, now, kind, detail));
    }

    void retried(Traffic traffic, String reason) {
        retries.add(new Retry(traffic, System.nanoTime(), reason));
    }

    List<Outcome> outcomes() {
        return new ArrayList<>(outcomes);
    }

    List<Retry> retries() {
        return new ArrayList<>(retries);
    }

    /** The table's name for what went wrong. */
    static String kindOf(Throwable e) {
        if (e instanceof ExchangeFailure) {
            return ((ExchangeFailure) e).kind;
        }
        if (e instanceof SpdyStreamException) {
            return "spdy-reset-" + ((SpdyStreamException) e).statusName();
        }
        if (e instanceof ConnectException) {
            return "refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout";
        }
        if (e instanceof SSLException) {
            return "tls";
        }
        if (e instanceof EOFException) {
            return "truncated";
        }
        if (e instanceof SocketException) {
            return "reset";
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof IOException && message.contains("session ended")) {
            return "spdy-session-lost";
        }
        if (e instanceof IOException && e.getCause() != null && e.getCause() != e) {
            String cause = kindOf(e.getCause());
            return cause.equals("refused") || cause.equals("tls") || cause.equals("timeout") ? cause : "io";
        }
        return e instanceof IOException ? "io" : e.getClass().getSimpleName();
    }

    /** The exception and its causes, on one line. */
    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e));
        int depth = 0;
        for (Throwable c = e.getCause(); c != null && c != e && depth < 3; c = c.getCause(), depth++) {
            text.append(" <- ").append(c);
        }
        return text.toString().replace('\n', ' ');
    }
}
