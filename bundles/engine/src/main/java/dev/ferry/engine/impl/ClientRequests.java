package dev.ferry.engine.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Headers;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
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
        List<Map.Entry<String, String>> headers = new ArrayList<>(request.headers().size());
        request.headers().iteratorAsString().forEachRemaining(headers::add);
        return ClientRequest.builder()
                .client(inet(client.remoteAddress()))
                .local(inet(client.localAddress()))
                .listener(listener)
                .protocol(protocol)
                .method(request.method().name())
                .target(request.uri(), target.destination().host(), target.destination().port())
                .headers(Headers.of(headers))
                .build();
    }

    /** Writes the hooks' headers and target into {@code request} when they differ from what {@code before} was. */
    static void writeBack(ClientRequest before, ClientRequest after, HttpRequest request) {
        if (after.headers() != before.headers()) {
            request.headers().clear();
            for (Map.Entry<String, String> e : after.headers().entries()) {
                request.headers().add(e.getKey(), e.getValue());
            }
        }
        if (!after.target().equals(before.target())) {
            request.setUri(after.target());
        }
    }

    /** Channels made in tests (EmbeddedChannel) have no IP address: they get an unresolved stand-in. */
    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress ? (InetSocketAddress) address
                : InetSocketAddress.createUnresolved(String.valueOf(address), 0);
    }
}
