package dev.ferry.fetch;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What the event loop hands to the thread that writes the output, in order. A {@link Kind#CONTENT} event owns its
 * buffer: whoever takes it from the queue releases it.
 */
final class ResponseEvent {

    enum Kind {
        /** A response head (status line and headers). */
        HEAD,
        /** A piece of the body; {@link #content()} is a LastHttpContent for the last one. */
        CONTENT,
        /** The channel finished a read: everything it produced is queued before this. */
        READ_COMPLETE,
        /** The connection closed. */
        CLOSED,
        /** The pipeline reported an exception. */
        FAILURE
    }

    static final ResponseEvent READ_COMPLETE = new ResponseEvent(Kind.READ_COMPLETE, null);
    static final ResponseEvent CLOSED = new ResponseEvent(Kind.CLOSED, null);

    private final Kind kind;
    private final Object value;

    private ResponseEvent(Kind kind, Object value) {
        this.kind = kind;
        this.value = value;
    }

    static ResponseEvent head(HttpResponse response) {
        return new ResponseEvent(Kind.HEAD, response);
    }

    static ResponseEvent content(HttpContent content) {
        return new ResponseEvent(Kind.CONTENT, content);
    }

    static ResponseEvent failure(Throwable cause) {
        return new ResponseEvent(Kind.FAILURE, cause);
    }

    Kind kind() {
        return kind;
    }

    HttpResponse head() {
        return (HttpResponse) value;
    }

    HttpContent content() {
        return (HttpContent) value;
    }

    Throwable failure() {
        return (Throwable) value;
    }

    /** Releases the buffer of a CONTENT event that will not be written (an abandoned fetch). */
    void discard() {
        if (kind == Kind.CONTENT) {
            content().release();
        }
    }
}
