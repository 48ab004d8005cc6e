package dev.ferry.http1.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Limits of the HTTP/1 message parser, shared by the server and the client side (the head deadline: server only). */
@ObjectClassDefinition(name = "Ferry HTTP/1.1 codec", description = "Limits of HTTP/1.1 message parsing")
public @interface Http1Limits {

    String PID = "dev.ferry.http1";

    @AttributeDefinition(description = "Longest request or status line, in bytes; longer request lines get 414")
    int maxInitialLineLength() default 8192;

    @AttributeDefinition(description = "Largest header section, in bytes; larger request headers get 431")
    int maxHeaderSize() default 65536;

    @AttributeDefinition(description = "Largest body piece handed on at once, in bytes (bodies stream in pieces)")
    int maxChunkSize() default 65536;

    @AttributeDefinition(description = "Seconds a client gets to send a whole request head once its first byte has "
            + "arrived; then it is answered 408 and the connection closes")
    int requestHeadTimeoutSeconds() default 30;

    @AttributeDefinition(description = "Seconds a client may leave between two pieces of a request body while the "
            + "proxy reads; then the connection closes")
    int requestBodyTimeoutSeconds() default 60;
}
