package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeSummary;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One JSON object per line (JSON Lines), keys always present and in this order: {@code time} (ISO-8601 UTC end time
 * with millis), {@code client}, {@code listener}, {@code protocol}, {@code method}, {@code target}, {@code status}
 * (0 when the client got none), {@code bytesFromClient}, {@code bytesToClient}, {@code durationMillis},
 * {@code upstream}, {@code user}, {@code error} (the {@code Proxy-Status} error token) and {@code errorDetails}, the
 * last four null when there is none. A tiny encoder of our own: a JSON library would be a dependency (and a bundle)
 * for the escaping of a few strings.
 */
final class JsonLine {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonLine() {
    }

    static String format(ExchangeSummary summary) {
        ClientRequest request = summary.request();
        StringBuilder out = new StringBuilder(320);
        out.append("{\"time\":\"");
        TIME.formatTo(LogFields.end(summary), out);
        out.append('"');
        string(out, "client", LogFields.client(request));
        string(out, "listener", request.listener());
        string(out, "protocol", request.protocol());
        string(out, "method", request.method());
        string(out, "target", request.target());
        out.append(",\"status\":").append(summary.status());
        out.append(",\"bytesFromClient\":").append(summary.bytesFromClient());
        out.append(",\"bytesToClient\":").append(summary.bytesToClient());
        out.append(",\"durationMillis\":").append(summary.duration().toMillis());
        string(out, "upstream", summary.upstream());
        string(out, "user", request.user());
        string(out, "error", summary.error() == null ? null : summary.error().token());
        string(out, "errorDetails", summary.errorDetails());
        return out.append('}').toString();
    }

    /** Appends {@code ,"key":"value"}, or {@code ,"key":null}. */
    private static void string(StringBuilder out, String key, String value) {
        out.append(",\"").append(key).append("\":");
        if (value == null) {
            out.append("null");
        } else {
            quoted(out, value);
        }
    }

    /**
     * Appends {@code value} as a JSON string (RFC 8259): {@code "} and {@code \} escaped with a backslash, control
     * characters (and U+2028/U+2029, which JavaScript's parsers once took for line ends) as {@code \}{@code uXXXX}.
     * Anything else is written as it is, in the file's UTF-8.
     */
    static StringBuilder quoted(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        return out.append('"');
    }
}
