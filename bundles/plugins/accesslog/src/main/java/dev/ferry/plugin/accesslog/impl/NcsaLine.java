package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeSummary;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The NCSA formats, as Apache writes them. Common:
 * {@code 127.0.0.1 - alice [07/Dec/2026:09:15:02 +0000] "GET http://example.org/ HTTP/1.1" 200 411}; Combined adds
 * {@code "<Referer>" "<User-Agent>"}. The request line is the method, the target as received and {@code HTTP/1.1}
 * whatever the client spoke (a SPDY stream is one request too, and the tools expect an HTTP/1.x version there).
 * Text the client chose is escaped as Apache's {@code ap_escape_logitem} does ({@code \"}, {@code \\}, control
 * characters as {@code \xhh}), so that it can neither end a quoted field nor start a new line.
 */
final class NcsaLine {

    /** English month names whatever the JVM's locale: the tools parse {@code Dec}, not {@code déc.}. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/uuuu:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private NcsaLine() {
    }

    static String common(ExchangeSummary summary) {
        return appendCommon(new StringBuilder(160), summary).toString();
    }

    static String combined(ExchangeSummary summary) {
        StringBuilder out = appendCommon(new StringBuilder(256), summary);
        ClientRequest request = summary.request();
        quoted(out.append(' '), request.headers().get("Referer"));
        quoted(out.append(' '), request.headers().get("User-Agent"));
        return out.toString();
    }

    private static StringBuilder appendCommon(StringBuilder out, ExchangeSummary summary) {
        ClientRequest request = summary.request();
        out.append(LogFields.client(request)).append(" - ");
        String user = request.user();
        if (user == null || user.isEmpty()) {
            out.append('-');
        } else {
            escaped(out, user);
        }
        out.append(" [");
        TIME.formatTo(LogFields.end(summary), out);
        out.append("] \"");
        escaped(out, request.method()).append(' ');
        escaped(out, request.target()).append(" HTTP/1.1\" ");
        // Apache writes "-" for a status it never set and for an empty body (%b)
        if (summary.status() > 0) {
            out.append(summary.status());
        } else {
            out.append('-');
        }
        out.append(' ');
        if (summary.bytesToClient() > 0) {
            out.append(summary.bytesToClient());
        } else {
            out.append('-');
        }
        return out;
    }

    /** Appends {@code "value"}, or {@code "-"} when there is none. */
    private static void quoted(StringBuilder out, String value) {
        out.append('"');
        if (value == null || value.isEmpty()) {
            out.append('-');
        } else {
            escaped(out, value);
        }
        out.append('"');
    }

    /** Appends {@code value} with {@code "}, {@code \} and control characters escaped. */
    static StringBuilder escaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                // C0, DEL and C1: all fit in two hex digits
                out.append("\\x").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        return out;
    }
}
