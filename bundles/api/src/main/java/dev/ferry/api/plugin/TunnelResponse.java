package dev.ferry.api.plugin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** An upstream proxy's answer to {@code CONNECT}: status line and headers, as plain values. */
public final class TunnelResponse {

    private final int status;
    private final String reason;
    private final Map<String, List<String>> headers;

    /** @param headers header names to values; names are matched ignoring case */
    public TunnelResponse(int status, String reason, Map<String, List<String>> headers) {
        this.status = status;
        this.reason = Objects.requireNonNull(reason, "reason");
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
        copy.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Collections.unmodifiableMap(copy);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** All headers; names compare ignoring case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of {@code name}, or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
        return status + " " + reason + " " + headers;
    }
}
