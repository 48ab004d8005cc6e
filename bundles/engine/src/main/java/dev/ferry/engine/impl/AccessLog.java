package dev.ferry.engine.impl;

import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per exchange on the {@code ferry.access} logger:
 * {@code client method target status bytes-from-client bytes-to-client duration-ms upstream user}, the
 * user {@code -} when no plugin authenticated one.
 */
final class AccessLog {

    static final String LOGGER = "ferry.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    static void log(SocketAddress client, String method, String target, int status, long bytesIn, long bytesOut,
            long durationNanos, String upstream, String user) {
        if (LOG.isInfoEnabled()) {
            LOG.info("{} {} {} {} {} {} {}ms {} {}", client, method, target, status, bytesIn, bytesOut,
                    durationNanos / 1_000_000, upstream, user == null ? "-" : user);
        }
    }
}
