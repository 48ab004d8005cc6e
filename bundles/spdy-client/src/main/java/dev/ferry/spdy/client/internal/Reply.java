package dev.ferry.spdy.client.internal;

import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The status and headers of a SYN_REPLY, copied out of Netty's frame. Immutable. */
final class Reply {

    final int status;
    final String statusLine;
    final String version;
    final Map<String, List<String>> headers;

    private Reply(int status, String statusLine, String version, Map<String, List<String>> headers) {
        this.status = status;
        this.statusLine = statusLine;
        this.version = version;
        this.headers = headers;
    }

    /** The reply in {@code frame}, or null when it has no valid {@code :status} (a protocol error). */
    static Reply parse(SpdyHeadersFrame frame) {
        String statusLine = frame.headers().getAsString(SpdyHeaders.HttpNames.STATUS);
        int status = statusCode(statusLine);
        if (status < 0) {
            return null;
        }
        String version = frame.headers().getAsString(SpdyHeaders.HttpNames.VERSION);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, String>> it = frame.headers().iteratorAsString(); it.hasNext(); ) {
            Map.Entry<String, String> header = it.next();
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!name.startsWith(":")) {
                headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(header.getValue());
            }
        }
        headers.replaceAll((name, values) -> List.copyOf(values));
        return new Reply(status, statusLine, version, Collections.unmodifiableMap(headers));
    }

    /** "200 OK" or "200" → 200; anything else → -1. */
    static int statusCode(String statusLine) {
        if (statusLine == null) {
            return -1;
        }
        String trimmed = statusLine.trim();
        int end = trimmed.indexOf(' ');
        String code = end < 0 ? trimmed : trimmed.substring(0, end);
        if (code.length() != 3) {
            return -1;
        }
        for (int i = 0; i < 3; i++) {
            if (code.charAt(i) < '0' || code.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(code);
    }

    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
