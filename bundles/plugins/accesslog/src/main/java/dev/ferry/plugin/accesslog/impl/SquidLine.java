package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.proxy.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Squid's native access log format ({@code logformat squid}):
 * {@code %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt}, e.g.
 * {@code 1796634902.123    180 127.0.0.1 TCP_MISS/200 411 GET http://example.org/ alice HIER_DIRECT/example.org
 * text/html}. Squid's tools split the line at spaces, so no field may contain one: white space and control
 * characters in the text fields are written as {@code %XX} (of their UTF-8 bytes). {@code %} itself stays, so that
 * a URL's own escapes are not escaped twice.
 */
final class SquidLine {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SquidLine() {
    }

    static String format(ExchangeSummary summary, String contentType) {
        ClientRequest request = summary.request();
        Instant end = LogFields.end(summary);
        StringBuilder out = new StringBuilder(160);
        out.append(end.getEpochSecond()).append('.');
        LogFields.padLeft(out, end.getNano() / 1_000_000, 3, '0').append(' ');
        LogFields.padLeft(out, summary.duration().toMillis(), 6, ' ').append(' ');
        out.append(LogFields.client(request)).append(' ');
        int status = summary.status();
        out.append(resultCode(summary)).append('/');
        LogFields.padLeft(out, status, 3, '0').append(' ');
        out.append(summary.bytesToClient()).append(' ');
        field(out, request.method()).append(' ');
        field(out, request.target()).append(' ');
        field(out, request.user()).append(' ');
        hierarchy(out, summary.upstream(), request.host()).append(' ');
        field(out, contentType);
        return out.toString();
    }

    /** Squid's {@code %Ss}: how the request was served, in the words of a proxy that never caches. */
    static String resultCode(ExchangeSummary summary) {
        int status = summary.status();
        if (status == 0) {
            return "NONE_NONE";
        }
        if (summary.request().isConnect() && status == 200) {
            return "TCP_TUNNEL";
        }
        if ((status == 403 || status == 407) && summary.error() != null) {
            return "TCP_DENIED";
        }
        return "TCP_MISS";
    }

    /**
     * Squid's {@code %Sh/%<a}: straight to the destination ({@code HIER_DIRECT/<host>}), through an upstream proxy
     * ({@code FIRSTUP_PARENT/<proxy host>}), or nowhere ({@code HIER_NONE/-}). Squid writes the server's address;
     * the summary has the host name the proxy connected to, which is what a reader looks for anyway.
     */
    private static StringBuilder hierarchy(StringBuilder out, String upstream, String destination) {
        if (upstream == null) {
            return out.append("HIER_NONE/-");
        }
        if ("DIRECT".equalsIgnoreCase(upstream)) {
            return field(out.append("HIER_DIRECT/"), destination);
        }
        return field(out.append("FIRSTUP_PARENT/"), proxyHost(upstream));
    }

    /** The host of an upstream proxy given as a URI ({@code http://host:port}, {@code socks5://...}), or null. */
    static String proxyHost(String upstream) {
        try {
            return ProxyServer.parse(upstream).host();
        } catch (IllegalArgumentException e) {
            return null; // not a form the engine writes; the line shows "-" rather than guess
        }
    }

    /** Appends {@code value}, or {@code -}, with anything that would split or garble the field as %XX. */
    private static StringBuilder field(StringBuilder out, String value) {
        if (value == null || value.isEmpty()) {
            return out.append('-');
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || (c >= 0x7f && c <= 0x9f) || Character.isWhitespace(c)) {
                percent(out, String.valueOf(c));
            } else {
                out.append(c);
            }
        }
        return out;
    }

    private static void percent(StringBuilder out, String character) {
        for (byte b : character.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
    }
}
