package dev.ferry.engine.impl;

import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per exchange on the {@code ferry.access} logger: the time the exchange ended
 * ({@code 2026-12-07T19:33:09.912+01:00}, the system's zone), then
 * {@code client method target status bytes-from-client bytes-to-client duration-ms upstream user protocol}, the
 * user {@code -} when no plugin authenticated one, the protocol the one the client spoke to the proxy (the server
 * codec's: {@code http/1.1}, {@code spdy/3.1}, {@code h2}). A multiplexed protocol's streams all name the client
 * connection's address. The line goes through the bundle's {@link AccessLogWriter} when there is one, so it carries
 * its own time: the logger's layout prints the message alone.
 */
final class AccessLog {

    static final String LOGGER = "ferry.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final DateTimeFormatter TO_SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.");
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("XXX");

    /** The formatted second of the last line, kept for the next ones: formatting a date costs a microsecond. */
    private static final class Second {
        final long epochSecond;
        final ZoneId zone;
        final String date;
        final String offset;

        Second(long epochSecond, ZoneId zone) {
            this.epochSecond = epochSecond;
            this.zone = zone;
            ZonedDateTime time = Instant.ofEpochSecond(epochSecond).atZone(zone);
            this.date = TO_SECOND.format(time);
            this.offset = OFFSET.format(time);
        }
    }

    /** The system's zone when the bundle started (asking for it each time costs a copy of the default TimeZone). */
    private static final ZoneId ZONE = ZoneId.systemDefault();
    private static volatile Second lastSecond = new Second(0, ZONE);
    private static volatile AccessLogWriter writer;

    private AccessLog() {
    }

    /** The writer lines go through from now on; null: each is logged on the thread that ended its exchange. */
    static void writeThrough(AccessLogWriter next) {
        writer = next;
    }

    static void log(SocketAddress client, String method, String target, int status, long bytesIn, long bytesOut,
            long durationNanos, String upstream, String user, String protocol) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        String line = time(System.currentTimeMillis(), ZONE) + " " + line(client, method, target,
                status, bytesIn, bytesOut, durationNanos, upstream, user, protocol);
        AccessLogWriter through = writer;
        if (through == null || !through.offer(line)) {
            write(line);
        }
    }

    /** Logs a finished line; on the writer's thread, or the caller's when there is no writer. */
    static void write(String line) {
        LOG.info(line);
    }

    /** The line as logged, without the time in front. */
    static String line(SocketAddress client, String method, String target, int status, long bytesIn,
            long bytesOut, long durationNanos, String upstream, String user, String protocol) {
        return client + " " + method + " " + target + " " + status + " " + bytesIn + " " + bytesOut + " "
                + durationNanos / 1_000_000 + "ms " + upstream + " " + (user == null ? "-" : user) + " "
                + (protocol == null ? "-" : protocol);
    }

    /** {@code epochMillis} as {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX} in {@code zone}. */
    static String time(long epochMillis, ZoneId zone) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second second = lastSecond;
        if (second.epochSecond != epochSecond || !second.zone.equals(zone)) {
            second = new Second(epochSecond, zone);
            lastSecond = second;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        return second.date + (millis < 100 ? millis < 10 ? "00" : "0" : "") + millis + second.offset;
    }
}
