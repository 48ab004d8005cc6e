package dev.ferry.http1.impl;

import io.netty.handler.codec.http.HttpDecoderConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1 parser limits a codec gives each new connection. Checked once per configuration and replaced in one
 * step when the configuration changes; every connection gets its own copy when it starts, so a change applies to
 * the connections made after it and never to a message being parsed.
 */
final class ParserLimits {

    private static final Logger LOG = LoggerFactory.getLogger(ParserLimits.class);
    private static final int MINIMUM = 64;

    /** Which codec these limits are for, in log lines. */
    private final String codec;
    private volatile HttpDecoderConfig current;
    private volatile int headTimeoutSeconds;
    private volatile int bodyTimeoutSeconds;

    /** @throws IllegalArgumentException naming the setting that is out of range */
    ParserLimits(String codec, Http1Limits limits) {
        this.codec = codec;
        this.current = check(limits);
        this.headTimeoutSeconds = limits.requestHeadTimeoutSeconds();
        this.bodyTimeoutSeconds = limits.requestBodyTimeoutSeconds();
    }

    /** Applies a changed configuration; one that is out of range is refused with one ERROR line. */
    void update(Http1Limits limits) {
        HttpDecoderConfig next;
        try {
            next = check(limits);
        } catch (IllegalArgumentException e) {
            LOG.error("dev.ferry.http1 ({}): {}; keeping {}", codec, e.getMessage(), describe(current));
            return;
        }
        current = next;
        headTimeoutSeconds = limits.requestHeadTimeoutSeconds();
        bodyTimeoutSeconds = limits.requestBodyTimeoutSeconds();
        LOG.info("New HTTP/1.1 {} connections get {}, requestHeadTimeoutSeconds={}, requestBodyTimeoutSeconds={}",
                codec, describe(next), headTimeoutSeconds, bodyTimeoutSeconds);
    }

    /** The parser configuration for a connection starting now, its own copy. */
    HttpDecoderConfig forNewConnection() {
        return current.clone();
    }

    /** The request head deadline for a server connection starting now. */
    int headTimeoutSeconds() {
        return headTimeoutSeconds;
    }

    /** The request body progress deadline for a server connection starting now. */
    int bodyTimeoutSeconds() {
        return bodyTimeoutSeconds;
    }

    private static HttpDecoderConfig check(Http1Limits limits) {
        if (limits.requestBodyTimeoutSeconds() < 1) {
            throw new IllegalArgumentException("requestBodyTimeoutSeconds=" + limits.requestBodyTimeoutSeconds()
                    + " is below the minimum of 1 second");
        }
        if (limits.requestHeadTimeoutSeconds() < 1) {
            throw new IllegalArgumentException("requestHeadTimeoutSeconds=" + limits.requestHeadTimeoutSeconds()
                    + " is below the minimum of 1 second");
        }
        atLeastMinimum("maxInitialLineLength", limits.maxInitialLineLength());
        atLeastMinimum("maxHeaderSize", limits.maxHeaderSize());
        atLeastMinimum("maxChunkSize", limits.maxChunkSize());
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(limits.maxChunkSize())
                .setValidateHeaders(true);
    }

    private static void atLeastMinimum(String setting, int value) {
        if (value < MINIMUM) {
            throw new IllegalArgumentException(setting + "=" + value + " is below the minimum of " + MINIMUM
                    + " bytes");
        }
    }

    private static String describe(HttpDecoderConfig config) {
        return "maxInitialLineLength=" + config.getMaxInitialLineLength() + ", maxHeaderSize="
                + config.getMaxHeaderSize() + ", maxChunkSize=" + config.getMaxChunkSize();
    }
}
