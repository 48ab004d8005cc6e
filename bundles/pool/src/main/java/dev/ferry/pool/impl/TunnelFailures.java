package dev.ferry.pool.impl;

import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a TUNNEL stage fails: one method per cause, each with Chromium's error type and fallback choice, and a message
 * that names the proxy and the destination (never a password).
 */
final class TunnelFailures {

    private final PoolKey key;
    private final int timeoutMillis;

    TunnelFailures(PoolKey key, int timeoutMillis) {
        this.key = key;
        this.timeoutMillis = timeoutMillis;
    }

    ConnectJobException timeout() {
        return fail(ProxyErrorType.HTTP_RESPONSE_TIMEOUT, true, proxy() + " did not answer CONNECT "
                + key.destination() + " within " + timeoutMillis + " ms (dev.ferry.pool tunnelTimeoutMillis)", null);
    }

    ConnectJobException closed() {
        return fail(ProxyErrorType.CONNECTION_TERMINATED, true, proxy() + " closed the connection before answering "
                + "CONNECT " + key.destination(), null);
    }

    ConnectJobException terminated(Throwable cause) {
        return fail(ProxyErrorType.CONNECTION_TERMINATED, true, "connection to " + proxy() + " failed during CONNECT "
                + key.destination() + ": " + cause.getMessage(), cause);
    }

    ConnectJobException protocolError(String what) {
        return fail(ProxyErrorType.HTTP_PROTOCOL_ERROR, false, proxy() + " sent a malformed answer to CONNECT "
                + key.destination() + ": " + what, null);
    }

    ConnectJobException bytesAfterResponse(int bytes) {
        return fail(ProxyErrorType.HTTP_PROTOCOL_ERROR, false, proxy() + " sent " + bytes + " bytes after its "
                + "answer to CONNECT " + key.destination() + ", before the tunnel was in use", null);
    }

    ConnectJobException refused(HttpResponseStatus status) {
        String message = proxy() + " refused CONNECT " + key.destination() + ": " + status;
        return fail(ProxyErrorType.UPSTREAM_REFUSED, false, message,
                new UpstreamException(message, status.code(), null));
    }

    ConnectJobException rejected(DelegateChain.RejectedTunnel e) {
        return fail(ProxyErrorType.HTTP_REQUEST_DENIED, false, "tunnel through " + key.proxy() + " to "
                + key.destination() + " rejected by plugin " + e.delegate + ": " + e.getMessage(), e.getCause());
    }

    ConnectJobException noCredentials(String challenge) {
        String message = proxy() + " demands authentication (407" + challenge(challenge) + ") and dev.ferry.pool "
                + "proxyCredentials has none for " + key.proxy().host() + ":" + key.proxy().port();
        return fail(ProxyErrorType.UPSTREAM_AUTH_REQUIRED, false, message, new UpstreamException(message, 407, null));
    }

    ConnectJobException credentialsRejected(ProxyCredentials.Login login, String challenge) {
        String message = proxy() + " rejected the configured credentials for user '" + login.user + "' (407"
                + challenge(challenge) + ")";
        return fail(ProxyErrorType.UPSTREAM_AUTH_REQUIRED, false, message, new UpstreamException(message, 407, null));
    }

    /** Whether a 407's body can be read to its end and the connection used again for the next CONNECT. */
    static boolean drainable(HttpResponse response) {
        boolean framed = HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
        boolean proxyKeepsIt = !response.headers().containsValue(HttpHeaderNames.PROXY_CONNECTION,
                HttpHeaderValues.CLOSE, true);
        return framed && HttpUtil.isKeepAlive(response) && proxyKeepsIt;
    }

    static TunnelResponse toTunnelResponse(HttpResponse response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : response.headers().names()) {
            headers.put(name, response.headers().getAll(name));
        }
        return new TunnelResponse(response.status().code(), response.status().reasonPhrase(), headers);
    }

    private String proxy() {
        return "upstream proxy " + key.proxy();
    }

    private static String challenge(String challenge) {
        return challenge == null ? ", no Proxy-Authenticate" : ", Proxy-Authenticate: " + challenge;
    }

    private ConnectJobException fail(ProxyErrorType type, boolean fallback, String message, Throwable cause) {
        return new ConnectJobException(key.proxy(), ConnectStage.TUNNEL, type, fallback, message, cause);
    }
}
