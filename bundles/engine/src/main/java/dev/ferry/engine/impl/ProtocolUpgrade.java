package dev.ferry.engine.impl;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Locale;
import java.util.Set;

/**
 * HTTP/1.1 Upgrade through the proxy (RFC 9110 section 7.8), for the protocols the listener allows (a WebSocket,
 * RFC 6455, by default). {@code Upgrade} and {@code Connection} are hop-by-hop and the proxy removes them from what
 * it forwards; for an allowed upgrade it puts them back, and when the origin answers {@code 101} with one of the
 * protocols asked for, the two connections become a tunnel.
 */
final class ProtocolUpgrade {

    private ProtocolUpgrade() {
    }

    /**
     * The {@code Upgrade} value to forward with {@code request}, or null: a GET whose {@code Connection} names
     * {@code upgrade} and whose every protocol ({@code name} or {@code name/version}) is in {@code allowed}.
     */
    static String requested(HttpRequest request, Set<String> allowed) {
        HttpHeaders headers = request.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || allowed.isEmpty() || !HttpMethod.GET.equals(request.method())
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return null;
        }
        for (String protocol : upgrade.split(",")) {
            if (!allowed.contains(name(protocol))) {
                return null;
            }
        }
        return upgrade.trim();
    }

    /** Puts the upgrade headers back on a message whose hop-by-hop headers were removed. */
    static void restore(HttpHeaders headers, String upgrade) {
        headers.set(HttpHeaderNames.UPGRADE, upgrade);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }

    /**
     * The protocol a {@code 101} switches to, if it is one of those {@code requested} (read before the hop-by-hop
     * headers are removed), else null.
     */
    static String accepted(HttpResponse response, String requested) {
        String upgrade = response.headers().get(HttpHeaderNames.UPGRADE);
        if (requested == null || upgrade == null || response.status().code() != 101) {
            return null;
        }
        for (String asked : requested.split(",")) {
            if (name(asked).equals(name(upgrade))) {
                return upgrade.trim();
            }
        }
        return null;
    }

    private static String name(String protocol) {
        String p = protocol.trim().toLowerCase(Locale.ROOT);
        int slash = p.indexOf('/');
        return slash < 0 ? p : p.substring(0, slash);
    }
}
