package dev.ferry.h2.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.Test;

/** Pseudo-header fields to the request an exchange handler reads, and a response back to HEADERS. */
public class H2MessagesTest {

    @Test
    public void hostHeaderStandsInForAMissingAuthority() {
        HttpRequest request = H2Messages.toRequest(new DefaultHttp2Headers().method("GET").scheme("http").path("/x")
                .add("host", "origin.test:81"), true);
        assertEquals("http://origin.test:81/x", request.uri());
        assertEquals("origin.test:81", request.headers().get("host"));
        assertFalse(HttpUtil.isTransferEncodingChunked(request));
    }

    @Test
    public void aBodyWithALengthKeepsItAndOptionsStarTargetsTheAuthority() {
        HttpRequest post = H2Messages.toRequest(new DefaultHttp2Headers().method("POST").scheme("http")
                .authority("origin.test").path("/").add("content-length", "3"), false);
        assertEquals("3", post.headers().get("content-length"));
        assertFalse(HttpUtil.isTransferEncodingChunked(post));
        HttpRequest options = H2Messages.toRequest(new DefaultHttp2Headers().method("OPTIONS").scheme("http")
                .authority("origin.test").path("*"), true);
        assertEquals("http://origin.test", options.uri());
    }

    @Test
    public void connectTakesOnlyAnAuthority() {
        HttpRequest connect = H2Messages.toRequest(new DefaultHttp2Headers().method("CONNECT")
                .authority("origin.test:443"), false);
        assertEquals("origin.test:443", connect.uri());
        assertFalse("a tunnel is not a chunked body", HttpUtil.isTransferEncodingChunked(connect));
        IllegalArgumentException withPath = assertThrows(IllegalArgumentException.class, () -> H2Messages.toRequest(
                new DefaultHttp2Headers().method("CONNECT").authority("origin.test:443").scheme("https").path("/"),
                false));
        assertTrue(withPath.getMessage(), withPath.getMessage().contains("8.5"));
        Http2Headers extended = new DefaultHttp2Headers().method("CONNECT").authority("origin.test:443")
                .scheme("https").path("/chat");
        extended.set(":protocol", "websocket");
        IllegalArgumentException notEnabled = assertThrows(IllegalArgumentException.class,
                () -> H2Messages.toRequest(extended, false));
        assertTrue(notEnabled.getMessage(), notEnabled.getMessage().contains(":protocol"));
    }

    @Test
    public void aRequestWithoutMethodOrSchemeIsRefusedNamingIt() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> H2Messages.toRequest(
                new DefaultHttp2Headers().scheme("http").authority("a").path("/"), true)).getMessage()
                .contains(":method"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> H2Messages.toRequest(
                new DefaultHttp2Headers().method("GET").authority("a").path("/"), true)).getMessage()
                .contains(":scheme"));
    }

    @Test
    public void responseHeadersLoseConnectionHeadersAndThoseTheyName() {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("Connection", "keep-alive, X-Hop").set("Keep-Alive", "timeout=5")
                .set("Transfer-Encoding", "chunked").set("X-Hop", "1").set("Content-Type", "text/plain")
                .set("Content-Length", "0");
        Http2Headers headers = H2Messages.toHeaders(response, false);
        assertEquals("200", headers.status().toString());
        assertEquals("text/plain", headers.get("content-type").toString());
        assertEquals("0", headers.get("content-length").toString());
        for (String gone : new String[] {"connection", "keep-alive", "transfer-encoding", "x-hop"}) {
            assertNull(gone, headers.get(gone));
        }
        assertNull("a 2xx to CONNECT has no length", H2Messages.toHeaders(response, true).get("content-length"));
    }
}
