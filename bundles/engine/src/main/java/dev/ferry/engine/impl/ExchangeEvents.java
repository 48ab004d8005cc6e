package dev.ferry.engine.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Headers;
import dev.ferry.api.exchange.ResponseHead;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange hooks' later calls: the response head on its way to the client, and the summary once an exchange has
 * ended. Both on the exchange's event loop; a hook that throws is logged and changes nothing, since by then the
 * exchange is the client's and a plugin's fault must not cost it.
 */
final class ExchangeEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeEvents.class);

    private ExchangeEvents() {
    }

    /** Lets each hook edit {@code response}'s headers, in ranking order, each seeing the edits before it. */
    static void responseHead(List<ExchangeHooks.Ranked> hooks, ClientRequest request, HttpResponse response) {
        ResponseHead head = null;
        boolean edited = false;
        for (ExchangeHooks.Ranked hook : hooks) {
            if (head == null) {
                head = ResponseHead.of(response.status().code(), headersOf(response.headers()));
            }
            List<HeaderEdit> edits;
            try {
                edits = hook.hook.onResponse(request, head);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("plugin {} failed on the response to {}: {}; its edits are ignored", hook.name, request, e,
                        e);
                continue;
            }
            if (edits != null && !edits.isEmpty()) {
                head = ResponseHead.of(head.status(), head.headers().with(edits));
                edited = true;
            }
        }
        if (edited) {
            ClientRequests.replaceHeaders(response.headers(), head.headers());
        }
    }

    /** Tells each hook of {@code ex} that it has ended. */
    static void ended(Exchange ex, long endNanos) {
        ExchangeSummary summary = ExchangeSummary.builder()
                .request(ex.request)
                .status(ex.status)
                .bytes(ex.bytesIn, ex.bytesOut)
                .timing(ex.started, java.time.Duration.ofNanos(endNanos - ex.startNanos))
                .upstream("-".equals(ex.upstream) ? null : ex.upstream)
                .error(ex.errorType, ex.errorDetails)
                .build();
        for (ExchangeHooks.Ranked hook : ex.hooks) {
            try {
                hook.hook.onEnd(summary);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("plugin {} failed on the end of {}: {}", hook.name, summary, e, e);
            }
        }
    }

    static Headers headersOf(HttpHeaders headers) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(headers.size());
        headers.iteratorAsString().forEachRemaining(entries::add);
        return Headers.of(entries);
    }
}
