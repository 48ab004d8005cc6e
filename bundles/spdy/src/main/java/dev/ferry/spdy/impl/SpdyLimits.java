package dev.ferry.spdy.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The limits of SPDY sessions, advertised to clients where SPDY has a setting for them. */
@ObjectClassDefinition(name = "Ferry SPDY/3.1 codec", description = "Limits of SPDY/3.1 sessions from clients")
public @interface SpdyLimits {

    @AttributeDefinition(description = "Streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); "
            + "more are refused with RST_STREAM REFUSED_STREAM")
    int maxConcurrentStreams() default 100;

    @AttributeDefinition(description = "Receive window per stream, in bytes (SETTINGS_INITIAL_WINDOW_SIZE): what a "
            + "stream may hold before the proxy has passed it on")
    int streamWindowBytes() default 65536;

    @AttributeDefinition(description = "Receive window of the whole session, in bytes (SPDY/3.1 session flow "
            + "control)")
    int sessionWindowBytes() default 1 << 20;

    @AttributeDefinition(description = "Largest decompressed header block, in bytes; larger ones end the session "
            + "with GOAWAY PROTOCOL_ERROR")
    int maxHeaderBlockBytes() default 65536;

    /**
     * 16,376: with its 8-byte header a full frame is one full TLS record (16,384 bytes of plaintext), so that the TLS
     * handler seals each frame as it is instead of copying frames' ends and starts together into records.
     */
    @AttributeDefinition(description = "Largest DATA frame the proxy sends, in bytes (16376: a frame and its 8-byte "
            + "header fill one TLS record)")
    int maxDataFrameBytes() default 16376;
}
