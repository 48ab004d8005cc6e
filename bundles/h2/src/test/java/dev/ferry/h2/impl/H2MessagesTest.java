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
        Http2Headers onGet = new DefaultHttp2Headers().method("GET").authority("origin.test").scheme("http")
                .path("/chat");
        onGet.set(":protocol", "websocket");
        IllegalArgumentException notConnect = assertThrows(IllegalArgumentException.class,
                () -> H2Messages.toRequest(onGet, false));
        assertTrue(notConnect.getMessage(), notConnect.getMessage().contains("RFC 8441"));
    }

    @Test
    public void anExtendedConnectBecomesAnUpgradeWithAKeyTheOriginMustProve() {
        Http2Headers extended = new DefaultHttp2Headers().method("CONNECT").authority("origin.test:8080")
                .scheme("http").path("/chat?room=1").add("sec-websocket-version", "13");
        extended.set(":protocol", "websocket");
        HttpRequest upgrade = H2Messages.toRequest(extended, false);
        assertEquals("GET http://origin.test:8080/chat?room=1", upgrade.method() + " " + upgrade.uri());
        assertEquals("websocket", upgrade.headers().get("upgrade"));
        assertEquals("upgrade", upgrade.headers().get("connection"));
        assertEquals("13", upgrade.headers().get("sec-websocket-version"));
        String key = upgrade.headers().get("sec-websocket-key");
        assertEquals(16, java.util.Base64.getDecoder().decode(key).length);
        assertFalse(HttpUtil.isTransferEncodingChunked(upgrade));
        // RFC 6455 section 1.3's own example.
        assertTrue(H2Messages.acceptsKey("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        assertFalse(H2Messages.acceptsKey("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOx="));
        assertFalse(H2Messages.acceptsKey(key, null));
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
