package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.upstream.LimitReachedException;
import dev.ferry.testing.LeakCheck;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class ProxyErrorTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void failuresMapToTheirProxyStatusTypes() {
        assertEquals(ProxyErrorType.DNS_ERROR, ProxyError.upstream(new UnknownHostException("x"), "x:80").type());
        assertEquals(ProxyErrorType.CONNECTION_REFUSED,
                ProxyError.upstream(new ConnectException("refused"), "x:80").type());
        assertEquals(ProxyErrorType.CONNECTION_TIMEOUT,
                ProxyError.upstream(new ConnectTimeoutException("t"), "x:80").type());
        assertEquals(ProxyErrorType.HTTP_RESPONSE_INCOMPLETE,
                ProxyError.upstream(new PrematureChannelClosureException(), "x:80").type());
        ProxyError full = ProxyError.upstream(new LimitReachedException("maxQueuedResolutions 1024 reached"), "x:80");
        assertEquals("a limit of the proxy's own: retry later", 503, full.status());
        assertEquals(ProxyErrorType.PROXY_RESOURCE_EXHAUSTED, full.type());
        assertEquals(431, ProxyError.malformedRequest(new TooLongHttpHeaderException("big")).status());
        assertEquals(414, ProxyError.malformedRequest(new TooLongHttpLineException("long")).status());
        assertEquals(400, ProxyError.malformedRequest(new IllegalArgumentException("bad")).status());
    }

    @Test
    public void responseCarriesStatusProxyStatusAndText() {
        ProxyError error = new ProxyError(ProxyErrorType.DNS_ERROR, "cannot resolve \"nowhere\".invalid:80");
        FullHttpResponse response = error.toResponse(UnpooledByteBufAllocator.DEFAULT, "ferry", true);
        try {
            assertEquals(502, response.status().code());
            assertEquals("ferry; error=dns_error; details=\"cannot resolve \\\"nowhere\\\".invalid:80\"",
                    response.headers().get("Proxy-Status"));
            assertEquals("close", response.headers().get("Connection"));
            String body = response.content().toString(StandardCharsets.UTF_8);
            assertTrue(body, body.startsWith("502 Bad Gateway: cannot resolve"));
            assertEquals(body.length(), response.headers().getInt("Content-Length").intValue());
        } finally {
            response.release();
        }
    }
}
