package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeSummary;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;

/** The values every format takes from a summary in the same way. */
final class LogFields {

    private LogFields() {
    }

    /**
     * When the exchange ended: the log tools read a line's time as the moment it was logged, which is the end (as
     * Squid and Apache write it), not the arrival of the request.
     */
    static Instant end(ExchangeSummary summary) {
        return summary.started().plus(summary.duration());
    }

    /** The client's IP address as text (no reverse lookup), or the host string of an unresolved address. */
    static String client(ClientRequest request) {
        InetSocketAddress client = request.client();
        InetAddress address = client.getAddress();
        return address != null ? address.getHostAddress() : client.getHostString();
    }

    /** The value, or {@code -} when it is missing or empty. */
    static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    /** Appends {@code value} right-aligned in {@code width} columns, as printf's {@code %6d} would. */
    static StringBuilder padLeft(StringBuilder out, long value, int width, char pad) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append(pad);
        }
        return out.append(digits);
    }
}
