package dev.ferry.engine.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.codec.ServerCodec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;

/**
 * HTTP/1.1 codecs as the http1 bundle makes them (the engine cannot depend on that bundle): Netty's
 * {@link HttpServerCodec} in front of the exchange handler, whose decoder leaves on a CONNECT and whose encoder leaves
 * once the tunnel is established; Netty's {@link HttpClientCodec} failing on a missing response on origin connections.
 */
final class TestCodecs {

    static final String SERVER_HANDLER = "http1-server";
    static final String EXCHANGE_HANDLER = "exchange";
    static final String CLIENT_HANDLER = "http1-client";

    static final ServerCodec SERVER = new ServerCodec() {
        @Override
        public String protocol() {
            return "http/1.1";
        }

        @Override
        public void configure(ChannelPipeline pipeline, Supplier<ChannelHandler> exchangeHandlers) {
            pipeline.addLast(SERVER_HANDLER, new HttpServerCodec());
            pipeline.addLast(EXCHANGE_HANDLER, exchangeHandlers.get());
        }

        @Override
        public void tunnelRequested(ChannelPipeline pipeline) {
            HttpServerCodec codec = pipeline.get(HttpServerCodec.class);
            if (codec != null) {
                codec.removeInboundHandler();
            }
        }

        @Override
        public void tunnelEstablished(ChannelPipeline pipeline) {
            if (pipeline.get(SERVER_HANDLER) != null) {
                pipeline.remove(SERVER_HANDLER);
            }
        }

        @Override
        public boolean relaysUpgrades() {
            return true;
        }
    };

    static final ClientCodec CLIENT = new ClientCodec() {
        @Override
        public String protocol() {
            return "http/1.1";
        }

        @Override
        public void configure(ChannelPipeline pipeline) {
            pipeline.addLast(CLIENT_HANDLER, new HttpClientCodec(4096, 8192, 8192, true));
        }
    };

    private TestCodecs() {
    }
}
