package dev.ferry.h2.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The limits of HTTP/2 connections from clients: those HTTP/2 has a setting for are advertised in the server's
 * SETTINGS, the others guard against the known floods (each ends the connection with GOAWAY ENHANCE_YOUR_CALM).
 */
@ObjectClassDefinition(name = "Ferry HTTP/2 codec", description = "Limits of HTTP/2 (h2) connections from clients")
public @interface H2Limits {

    @AttributeDefinition(description = "Streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); "
            + "more are refused with RST_STREAM REFUSED_STREAM")
    int maxConcurrentStreams() default 100;

    @AttributeDefinition(description = "Receive window per stream, in bytes (SETTINGS_INITIAL_WINDOW_SIZE): what a "
            + "stream may hold in the proxy before the proxy has passed it on")
    int streamWindowBytes() default 262144;

    @AttributeDefinition(description = "Receive window of the whole connection, in bytes (at least 65535): what all "
            + "streams of one connection together may hold in the proxy")
    int connectionWindowBytes() default 4194304;

    @AttributeDefinition(description = "Largest decoded header list, in bytes (SETTINGS_MAX_HEADER_LIST_SIZE); a "
            + "larger request is refused, a much larger one ends the connection")
    int maxHeaderListBytes() default 65536;

    @AttributeDefinition(description = "Largest frame payload the proxy accepts, in bytes (SETTINGS_MAX_FRAME_SIZE, "
            + "16384 to 16777215)")
    int maxFrameBytes() default 16384;

    @AttributeDefinition(description = "Accept extended CONNECT (RFC 8441, SETTINGS_ENABLE_CONNECT_PROTOCOL): a "
            + "WebSocket over an HTTP/2 stream, forwarded to the origin as an HTTP/1.1 Upgrade when the listener's "
            + "upgradeProtocols allow it")
    boolean extendedConnect() default true;

    @AttributeDefinition(description = "RST_STREAM frames a client may send within resetWindowSeconds; more end the "
            + "connection with GOAWAY ENHANCE_YOUR_CALM (the rapid-reset attack)")
    int maxResetsPerWindow() default 200;

    @AttributeDefinition(description = "RST_STREAM frames the proxy may send one client within resetWindowSeconds "
            + "(refused, malformed or cancelled streams); more end the connection with GOAWAY ENHANCE_YOUR_CALM, so "
            + "that a client cannot make the proxy reset streams without end")
    int maxResetsSentPerWindow() default 200;

    @AttributeDefinition(description = "The window maxResetsPerWindow and maxResetsSentPerWindow count in, in "
            + "seconds")
    int resetWindowSeconds() default 30;

    @AttributeDefinition(description = "Control frames (SETTINGS and PING acknowledgements, RST_STREAM) queued for a "
            + "client that does not read them; more end the connection")
    int maxQueuedControlFrames() default 10000;

    @AttributeDefinition(description = "Empty DATA frames (no bytes, no END_STREAM) a client may send in a row; more "
            + "end the connection")
    int maxConsecutiveEmptyDataFrames() default 2;

    @AttributeDefinition(description = "Small CONTINUATION frames a client may send for one header block; more end "
            + "the connection (the CONTINUATION flood)")
    int maxSmallContinuationFrames() default 16;
}
