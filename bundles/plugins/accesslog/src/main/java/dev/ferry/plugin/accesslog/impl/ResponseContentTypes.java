package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The Content-Type of origin responses whose exchange has not ended yet, for Squid's {@code %mt}: recorded by
 * {@code onResponse}, taken (and forgotten) by {@code onEnd}.
 *
 * <p>Why this cannot leak: the key is the {@link ClientRequest} object itself, held weakly, and the value a string
 * that does not refer back to it. {@code ClientRequest} keeps {@link Object}'s identity equality, so two exchanges
 * never share an entry. The engine passes the same request object to {@code onResponse} and {@code onEnd}; an entry
 * whose {@code onEnd} never comes, or comes with another object (the API does not promise the same one), goes away
 * with the request, and that line shows {@code -}. So the map holds at most the exchanges in flight.
 */
final class ResponseContentTypes {

    private final Map<ClientRequest, String> byRequest = Collections.synchronizedMap(new WeakHashMap<>());

    void record(ClientRequest request, String contentType) {
        if (contentType != null && !contentType.isEmpty()) {
            byRequest.put(request, contentType);
        }
    }

    /** The recorded Content-Type of {@code request}'s response, or null; the entry is removed. */
    String take(ClientRequest request) {
        return byRequest.isEmpty() ? null : byRequest.remove(request);
    }

    /** How many are waiting for their exchange's end (for tests). */
    int size() {
        return byRequest.size();
    }
}
