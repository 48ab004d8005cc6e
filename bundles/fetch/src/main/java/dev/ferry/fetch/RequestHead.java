package dev.ferry.fetch;

import dev.ferry.api.upstream.UpstreamLease;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one request ferry-fetch sends: absolute form through an HTTP(S) proxy without a tunnel, origin form otherwise;
 * Host, curl-like defaults, the {@code -H} headers (which replace a default of the same name), the connection's own
 * headers (e.g. Proxy-Authorization), and {@code Connection: close}, because the connection is never returned to
 * the pool. Header names go out in their usual capitalisation, as browsers and curl send them.
 */
final class RequestHead {

    static final String USER_AGENT = "ferry-fetch/0.1";

    private RequestHead() {
    }

    /** A new request; the caller owns its body buffer (writing it through the codec releases it). */
    static FullHttpRequest build(FetchOptions options, UpstreamLease connection) {
        URI url = options.url();
        String target = connection.absoluteForm() ? absoluteForm(url) : originForm(url);
        byte[] body = options.data() == null ? new byte[0] : options.data().getBytes(StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(options.method()), target, Unpooled.wrappedBuffer(body));
        HttpHeaders headers = request.headers();
        headers.set("Host", url.getRawAuthority());
        headers.set("User-Agent", USER_AGENT);
        headers.set("Accept", "*/*");
        if (options.data() != null) {
            headers.set("Content-Type", "application/x-www-form-urlencoded");
        }
        // as in curl: the first -H of a name replaces the default, later ones add values, an empty value removes
        Set<String> given = new HashSet<>();
        for (String[] header : options.headers()) {
            if (given.add(header[0].toLowerCase(Locale.ROOT))) {
                headers.remove(header[0]);
            }
            if (!header[1].isEmpty()) {
                headers.add(header[0], header[1]);
            }
        }
        for (Map.Entry<String, String> header : connection.requestHeaders().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
        if (options.data() != null) {
            headers.set("Content-Length", body.length);
        } else {
            headers.remove("Content-Length");
        }
        headers.remove("Transfer-Encoding");
        headers.set("Connection", "close");
        return request;
    }

    /** {@code /path?query}, never empty; the fragment stays with the client. */
    static String originForm(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    /** {@code http://authority/path?query}. */
    static String absoluteForm(URI url) {
        return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority() + originForm(url);
    }
}
