package dev.ferry.h2.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's {@link Http2FrameCodec}, which also says why when it ends a connection over something the proxy was about
 * to send: acknowledgements a flooding client does not read ({@code maxQueuedControlFrames}), or more resets than
 * {@code maxResetsSentPerWindow}. Netty passes only errors in what it read down the pipeline (the session logs those);
 * these it would log only in its own words, with a stack trace, at a level the distribution keeps quiet. One line per
 * connection: after the first error (a broken pipe, say) every write still queued fails too.
 */
final class ExplainingFrameCodec extends Http2FrameCodec {

    /** Whether this connection's error was logged: once it fails, every write queued behind fails the same way. */
    private boolean explained;

    private ExplainingFrameCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder,
            Http2Settings initialSettings, boolean decoupleCloseAndGoAway, boolean flushPreface) {
        super(encoder, decoder, initialSettings, decoupleCloseAndGoAway, flushPreface);
    }

    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
            Http2Exception http2Ex) {
        if (outbound && !explained) {
            explained = true;
            H2ServerSession.LOG.info("{}: GOAWAY {}: {}", ctx.channel().remoteAddress(),
                    http2Ex == null ? "INTERNAL_ERROR" : http2Ex.error(), cause.getMessage());
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    /** {@link Http2FrameCodecBuilder#forServer()}, building this codec. */
    static final class Builder extends Http2FrameCodecBuilder {

        Builder() {
            server(true);
        }

        @Override
        protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                Http2Settings initialSettings) {
            ExplainingFrameCodec codec = new ExplainingFrameCodec(encoder, decoder, initialSettings,
                    decoupleCloseAndGoAway(), flushPreface());
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }
    }
}
