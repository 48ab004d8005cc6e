package dev.ferry.engine.impl;

import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.spi.TunnelRelay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;

/**
 * Turns an exchange channel whose CONNECT succeeded into one end of a tunnel: answer 200, let the codec and the idle
 * timer go, pass on the bytes the client sent right behind its CONNECT, and start the relay.
 */
final class TunnelHandoff {

    private static final HttpResponseStatus ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private TunnelHandoff() {
    }

    /**
     * @param early messages read behind the CONNECT, in order; emptied here (bytes forwarded, anything else
     *              released)
     */
    static void start(Channel client, Channel tunnel, ServerCodec codec, TunnelRelay relay, Queue<Object> early,
            Exchange exchange) {
        exchange.status = ESTABLISHED.code();
        client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ESTABLISHED));
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
