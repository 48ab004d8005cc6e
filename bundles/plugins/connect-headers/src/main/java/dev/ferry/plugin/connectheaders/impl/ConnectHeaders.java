package dev.ferry.plugin.connectheaders.impl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code headers} setting: {@code Name: value} entries, checked once so that nothing configured can break the
 * framing of the CONNECT request they are added to. Names must be RFC 9110 tokens, values printable ASCII (so no CR
 * or LF, which would let a configured value inject lines into the request). Values of credential headers never
 * appear in error messages or {@link #toString()}.
 */
final class ConnectHeaders {

    /** Headers the CONNECT request's own framing owns; a second copy would contradict it. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection");

    /** Headers whose values are secrets; error messages show their length instead. */
    private static final Set<String> SECRET = Set.of("proxy-authorization", "authorization");

    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private final Map<String, String> headers;

    private ConnectHeaders(Map<String, String> headers) {
        this.headers = headers;
    }

    /**
     * @param entries the {@code headers} setting; blank entries (as a form editor may leave) are skipped
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    static ConnectHeaders parse(String[] entries) {
        Map<String, String> parsed = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        if (entries != null) {
            for (int i = 0; i < entries.length; i++) {
                String entry = entries[i];
                if (entry == null || entry.isBlank()) {
                    continue;
                }
                String where = "headers[" + i + "]";
                int colon = entry.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException(where + " " + shownEntry(entry)
                            + " is not a header: expected 'Name: value'");
                }
                String name = entry.substring(0, colon).stripLeading();
                String value = stripOws(entry.substring(colon + 1));
                checkName(where, name);
                checkValue(where, name, value);
                String lower = name.toLowerCase(Locale.ROOT);
                if (RESERVED.contains(lower)) {
                    throw new IllegalArgumentException(where + ": header '" + name
                            + "' is set by the CONNECT request itself and cannot be configured");
                }
                String earlier = seen.putIfAbsent(lower, where);
                if (earlier != null) {
                    throw new IllegalArgumentException(where + ": header '" + name + "' is already set by " + earlier
                            + "; give each header once");
                }
                parsed.put(name, value);
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("headers is empty: configure at least one 'Name: value' entry");
        }
        return new ConnectHeaders(Collections.unmodifiableMap(parsed));
    }

    /** The headers in configured order, names as configured; unmodifiable. */
    Map<String, String> asMap() {
        return headers;
    }

    private static void checkName(String where, String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException(where + ": empty header name before ':'");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException(where + ": header name '" + printable(name)
                        + "' is not an HTTP token (bad character at index " + i + ")");
            }
        }
    }

    private static void checkValue(String where, String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException(where + ": the value of header '" + name
                        + "' contains CR or LF: " + shown(name, value));
            }
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                throw new IllegalArgumentException(where + ": the value of header '" + name
                        + "' contains a control or non-ASCII character at index " + i + ": " + shown(name, value));
            }
        }
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || TOKEN_SYMBOLS.indexOf(c) >= 0;
    }

    /** Removes RFC 9110 optional white space (SP, HTAB) around a value. */
    private static String stripOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    private static String shown(String name, String value) {
        if (SECRET.contains(name.toLowerCase(Locale.ROOT))) {
            return "(secret, " + value.length() + " characters)";
        }
        return "'" + printable(value) + "'";
    }

    /** An entry without a colon, hidden when it looks like a credential header that lost its colon. */
    private static String shownEntry(String entry) {
        String lower = entry.strip().toLowerCase(Locale.ROOT);
        for (String secret : SECRET) {
            if (lower.startsWith(secret)) {
                return "(secret, " + entry.length() + " characters)";
            }
        }
        return "'" + printable(entry) + "'";
    }

    /** The text with control characters written as escapes, so a message stays on one log line. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The header names only: values may be credentials. */
    @Override
    public String toString() {
        return headers.keySet().toString();
    }
}
