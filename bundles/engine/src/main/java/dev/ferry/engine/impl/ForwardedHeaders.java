package dev.ferry.engine.impl;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * What a proxy changes in the headers it passes on: hop-by-hop headers (RFC 9110 section 7.6.1) stay behind, and
 * {@code Via} records this hop.
 */
final class ForwardedHeaders {

    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final List<AsciiString> HOP_BY_HOP = List.of(
            HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE);

    private final String via;

    /** @param pseudonym this proxy's name in {@code Via}, e.g. {@code ferry} */
    ForwardedHeaders(String pseudonym) {
        this.via = "1.1 " + pseudonym;
    }

    /**
     * Removes hop-by-hop headers in place: {@code Connection} and every header it names, and the fixed set. The
     * message framing ({@code Transfer-Encoding}, {@code Content-Length}) is left for the codec.
     */
    void removeHopByHop(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                        && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                    headers.remove(name);
                }
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** Appends this hop to {@code Via}. */
    void addVia(HttpHeaders headers) {
        String existing = headers.get(HttpHeaderNames.VIA);
        headers.set(HttpHeaderNames.VIA, existing == null || existing.isEmpty() ? via : existing + ", " + via);
    }

    /** Both, for a message passing through. */
    void forward(HttpHeaders headers) {
        removeHopByHop(headers);
        addVia(headers);
    }
}
