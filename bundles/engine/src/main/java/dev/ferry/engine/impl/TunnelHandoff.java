package dev.ferry.engine.impl;

import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.spi.TunnelRelay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;

/**
 * Turns an exchange channel into one end of a tunnel, once its CONNECT succeeded or its origin switched protocols
 * (an HTTP/1.1 Upgrade): answer the client (200, or the origin's 101), let the codec and the idle timer go, pass on
 * the bytes the client sent right behind its request, and start the relay.
 */
final class TunnelHandoff {

    private static final HttpResponseStatus ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private TunnelHandoff() {
    }

    /** The answer to a CONNECT that succeeded. */
    static FullHttpResponse established() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ESTABLISHED);
    }

    /** The answer to an upgrade the origin accepted: its 101, with the headers already forwarded. */
    static FullHttpResponse switched(HttpResponse switching) {
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, switching.status());
        answer.headers().set(switching.headers());
        return answer;
    }

    /**
     * @param early  messages read behind the request, in order; emptied here (bytes forwarded, anything else
     *               released)
     * @param answer what the client gets before the tunnel's first byte
     */
    static void start(Channel client, Channel tunnel, ServerCodec codec, TunnelRelay relay, Queue<Object> early,
            Exchange exchange, FullHttpResponse answer) {
        exchange.status = answer.status().code();
        client.writeAndFlush(answer);
        ChannelPipeline pipeline = client.pipeline();
        if (pipeline.get(ConnectionSetup.IDLE_HANDLER) != null) {
            pipeline.remove(ConnectionSetup.IDLE_HANDLER);
        }
        codec.tunnelEstablished(pipeline);
        for (Object msg; (msg = early.poll()) != null;) {
            if (msg instanceof ByteBuf) {
                tunnel.write(msg, tunnel.voidPromise());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
        tunnel.flush();
        relay.relay(client, tunnel).addListener(f -> {
            TunnelRelay.Stats stats = (TunnelRelay.Stats) f.getNow();
            exchange.bytesIn = stats.clientToUpstream();
            exchange.bytesOut = stats.upstreamToClient();
            exchange.log(client.remoteAddress());
        });
    }
}
