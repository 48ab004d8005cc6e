package dev.ferry.engine.impl;

import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per exchange on the {@code ferry.access} logger:
 * {@code client method target status bytes-from-client bytes-to-client duration-ms upstream user protocol}, the
 * user {@code -} when no plugin authenticated one, the protocol the one the client spoke to the proxy (the server
 * codec's: {@code http/1.1}, {@code spdy/3.1}, {@code h2}). A multiplexed protocol's streams all name the client
 * connection's address.
 */
final class AccessLog {

    static final String LOGGER = "ferry.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    static void log(SocketAddress client, String method, String target, int status, long bytesIn, long bytesOut,
            long durationNanos, String upstream, String user, String protocol) {
        if (LOG.isInfoEnabled()) {
            LOG.info(line(client, method, target, status, bytesIn, bytesOut, durationNanos, upstream, user,
                    protocol));
        }
    }

    /** The line as logged (without the time the layout puts in front). */
    static String line(SocketAddress client, String method, String target, int status, long bytesIn,
            long bytesOut, long durationNanos, String upstream, String user, String protocol) {
        return client + " " + method + " " + target + " " + status + " " + bytesIn + " " + bytesOut + " "
                + durationNanos / 1_000_000 + "ms " + upstream + " " + (user == null ? "-" : user) + " "
                + (protocol == null ? "-" : protocol);
    }
}
