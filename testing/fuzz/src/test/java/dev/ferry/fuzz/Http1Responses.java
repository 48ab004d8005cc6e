package dev.ferry.fuzz;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Queue;

/**
 * What a client received on an HTTP/1.1 connection, checked: nothing, or a sequence of well-formed HTTP/1.1
 * responses (status line, headers, a body framed by its length, chunks, or the close), as Netty's client parser reads
 * them, knowing (as a client does) which answers have no body: those to HEAD, and a CONNECT's success.
 */
public final class Http1Responses {

    private Http1Responses() {
    }

    /**
     * @param methods the methods of the requests the server read, in order (one answer each)
     * @return how many responses began on the wire; fails on anything that is no response
     */
    public static int assertWellFormed(byte[] wire, Queue<HttpMethod> methods) {
        EmbeddedChannel parser = new EmbeddedChannel(new Decoder(methods));
        int responses = 0;
        try {
            parser.writeInbound(Unpooled.wrappedBuffer(wire));
            parser.finish();
            for (Object msg; (msg = parser.readInbound()) != null;) {
                try {
                    HttpObject object = (HttpObject) msg;
                    if (!object.decoderResult().isSuccess()) {
                        throw new AssertionError("not a well-formed HTTP/1.1 response (" + object.decoderResult()
                                + ") in:\n" + printable(wire), object.decoderResult().cause());
                    }
                    if (object instanceof HttpResponse) {
                        HttpResponse response = (HttpResponse) object;
                        if (!HttpVersion.HTTP_1_1.equals(response.protocolVersion())) {
                            throw new AssertionError("answered " + response.protocolVersion() + " in:\n"
                                    + printable(wire));
                        }
                        responses++;
                    } else if (responses == 0 && object instanceof HttpContent) {
                        throw new AssertionError("body bytes before any status line in:\n" + printable(wire));
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            parser.finishAndReleaseAll();
        }
        return responses;
    }

    /** Netty's response parser, told the request methods as its HttpClientCodec tells it. */
    private static final class Decoder extends HttpResponseDecoder {
        private final Queue<HttpMethod> methods;

        Decoder(Queue<HttpMethod> methods) {
            super(8192, 65536, 65536);
            this.methods = methods;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            int code = ((HttpResponse) msg).status().code();
            if (code >= 100 && code < 200) {
                // interim: the request's answer is still to come
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || (HttpMethod.CONNECT.equals(method) && code < 300)
                    || super.isContentAlwaysEmpty(msg);
        }
    }

    /** The wire as text, CR and LF shown as such (a bare LF is what the parser may be complaining about). */
    private static String printable(byte[] wire) {
        String text = new String(wire, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n\n");
        return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
    }
}
