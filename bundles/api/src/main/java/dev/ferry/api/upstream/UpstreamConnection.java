package dev.ferry.api.upstream;

import dev.ferry.api.proxy.ProxyServer;
import io.netty.channel.Channel;
import java.util.Map;
import java.util.Objects;

/** A connection a connector made or took from the pool, and how to use it. */
public final class UpstreamConnection {

    private final Channel channel;
    private final PoolKey key;
    private final boolean reused;
    private final Map<String, String> requestHeaders;

    /**
     * @param requestHeaders headers every request sent on this connection must carry (e.g.
     *                       {@code Proxy-Authorization} for an upstream proxy with configured credentials)
     */
    public UpstreamConnection(Channel channel, PoolKey key, boolean reused, Map<String, String> requestHeaders) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.key = Objects.requireNonNull(key, "key");
        this.reused = reused;
        this.requestHeaders = Map.copyOf(requestHeaders);
    }

    public Channel channel() {
        return channel;
    }

    public PoolKey key() {
        return key;
    }

    public ProxyServer proxy() {
        return key.proxy();
    }

    /** Whether the connection served an exchange before (an idle connection the peer may have closed meanwhile). */
    public boolean reused() {
        return reused;
    }

    /**
     * Whether HTTP requests go in absolute form ({@code GET http://host/path}): through an HTTP or HTTPS upstream
     * proxy without a tunnel. DIRECT, SOCKS and tunnelled connections take origin-form.
     */
    public boolean absoluteForm() {
        ProxyServer.Scheme scheme = key.proxy().scheme();
        return !key.group().secure()
                && (scheme == ProxyServer.Scheme.HTTP || scheme == ProxyServer.Scheme.HTTPS);
    }

    public Map<String, String> requestHeaders() {
        return requestHeaders;
    }

    @Override
    public String toString() {
        return key + (reused ? " (reused) " : " ") + channel;
    }
}
