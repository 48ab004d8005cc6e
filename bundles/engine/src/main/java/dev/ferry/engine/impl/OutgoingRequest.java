package dev.ferry.engine.impl;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * The request on its way to the origin: its head and the body pieces read before the origin connection was there,
 * and, once sent, the head alone, kept for the one retry a bodyless idempotent request gets when a reused connection
 * closes without answering.
 */
final class OutgoingRequest {

    private HttpRequest head;
    private final ArrayDeque<HttpContent> body = new ArrayDeque<>();
    private HttpRequest sentHead;
    private boolean retried;

    OutgoingRequest(HttpRequest head) {
        this.head = head;
    }

    /** Keeps a body piece until {@link #sendTo}; the piece is owned here until then. */
    void hold(HttpContent content) {
        body.add(content);
    }

    /**
     * Writes the head, with its target in the form the connection needs and the connection's own headers, and the
     * held pieces to the origin (without flushing); remembers the head for a retry.
     */
    void sendTo(Channel origin, String target, Map<String, String> connectionHeaders) {
        head.setUri(target);
        connectionHeaders.forEach(head.headers()::set);
        sentHead = head;
        origin.write(head, origin.voidPromise());
        head = null;
        for (HttpContent content; (content = body.poll()) != null;) {
            origin.write(content, origin.voidPromise());
        }
    }

    /**
     * Whether this request may be sent again: idempotent, no body, not retried before. The caller knows whether the
     * connection was reused and nothing came back.
     */
    boolean retryable(long bodyBytes) {
        if (retried || sentHead == null || bodyBytes > 0) {
            return false;
        }
        HttpMethod m = sentHead.method();
        return HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.OPTIONS.equals(m)
                || HttpMethod.TRACE.equals(m) || HttpMethod.DELETE.equals(m);
    }

    /** Makes the sent request pending again, for its one retry. */
    void rearm() {
        retried = true;
        head = sentHead;
        sentHead = null;
        body.add(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** Releases whatever has not been sent. */
    void release() {
        if (head != null) {
            ReferenceCountUtil.release(head);
            head = null;
        }
        for (HttpContent content; (content = body.poll()) != null;) {
            content.release();
        }
    }
}
