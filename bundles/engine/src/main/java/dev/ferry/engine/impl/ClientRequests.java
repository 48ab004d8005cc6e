package dev.ferry.engine.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Headers;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * Between Netty's request and the plugins' {@link ClientRequest}: the hooks get a plain copy of the request as the
 * client sent it, and what they changed (headers, target) is written back before the request goes on.
 */
final class ClientRequests {

    private ClientRequests() {
    }

    static ClientRequest of(HttpRequest request, RequestTarget target, Channel client, String listener,
            String protocol) {
        return ClientRequest.builder()
                .client(inet(client.remoteAddress()))
                .local(inet(client.localAddress()))
                .listener(listener)
                .protocol(protocol)
                .method(request.method().name())
                .target(request.uri(), target.destination().host(), target.destination().port())
                .headers(ExchangeEvents.headersOf(request.headers()))
                .build();
    }

    /** Writes the hooks' headers and target into {@code request} when they differ from what {@code before} was. */
    static void writeBack(ClientRequest before, ClientRequest after, HttpRequest request) {
        if (after.headers() != before.headers()) {
            replaceHeaders(request.headers(), after.headers());
        }
        if (!after.target().equals(before.target())) {
            request.setUri(after.target());
        }
    }

    /**
     * Replaces {@code target}'s headers with {@code edited}, except the message framing: {@code Content-Length} and
     * {@code Transfer-Encoding} stay as the codec read them, since the body on the wire is framed by them.
     */
    static void replaceHeaders(HttpHeaders target, Headers edited) {
        List<String> length = target.getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> coding = target.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        target.clear();
        for (Map.Entry<String, String> e : edited.entries()) {
            if (!HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(e.getKey())
                    && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(e.getKey())) {
                target.add(e.getKey(), e.getValue());
            }
        }
        target.add(HttpHeaderNames.CONTENT_LENGTH, length);
        target.add(HttpHeaderNames.TRANSFER_ENCODING, coding);
    }

    /** Channels made in tests (EmbeddedChannel) have no IP address: they get an unresolved stand-in. */
    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress ? (InetSocketAddress) address
                : InetSocketAddress.createUnresolved(String.valueOf(address), 0);
    }
}
