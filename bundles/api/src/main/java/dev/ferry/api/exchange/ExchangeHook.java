package dev.ferry.api.exchange;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees every exchange of the proxy's clients: each HTTP/1.1 request, CONNECT tunnel and SPDY stream, at three points.
 * Register one as an OSGi service; every method has a default that changes nothing, so a hook implements only what it
 * needs. The engine calls the registered hooks in {@code service.ranking} order (highest first). Hooks may come and go
 * while the proxy runs; an exchange keeps the hooks it started with, to its end.
 *
 * <ol>
 * <li>{@link #onRequest}: before the proxy acts on the request; each hook gets it as the hooks before it left it,
 * until one denies or challenges.</li>
 * <li>{@link #onResponse}: the head of the origin's final response, before it goes to the client (not for answers
 * the proxy makes itself: errors, refusals, a tunnel's 200).</li>
 * <li>{@link #onEnd}: once, when the exchange or tunnel has ended, however it ended (refused, failed, client gone).
 * Every hook of the exchange gets it, also when an earlier hook refused the request.</li>
 * </ol>
 *
 * <p>Threading: all three are called on a proxy I/O thread, which serves many connections, and must return at once.
 * Work that blocks or takes time (a password hash, a lookup, writing a file) runs on the plugin's own threads; for
 * {@link #onRequest} the returned stage completes later. A request hook whose stage does not complete within the
 * listener's {@code pluginTimeoutMillis}, or that throws or completes exceptionally, fails the request with
 * {@code 500} and {@code Proxy-Status: ...; error=proxy_internal_error; details="plugin <name> ..."}, where the name is
 * the service's {@code component.name} (or the hook's class name). A response or end hook that throws is logged (a
 * WARN naming it) and changes nothing.
 */
@ConsumerType
public interface ExchangeHook {

    /** @return the verdict; by default {@link Verdict#proceed()}: the request passes unchanged */
    default CompletionStage<Verdict> onRequest(ClientRequest request) {
        return CompletableFuture.completedFuture(Verdict.proceed());
    }

    /**
     * @param request the request as the hooks left it
     * @param response the response head as the origin sent it, less hop-by-hop headers, with the edits of the hooks
     *                 called before this one
     * @return edits of the response's headers, applied in order (by default none)
     */
    default List<HeaderEdit> onResponse(ClientRequest request, ResponseHead response) {
        return List.of();
    }

    /** The exchange or tunnel has ended; by default nothing is done. */
    default void onEnd(ExchangeSummary summary) {
    }
}
