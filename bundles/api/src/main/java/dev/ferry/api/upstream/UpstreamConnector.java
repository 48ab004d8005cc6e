package dev.ferry.api.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Chromium's way out in one call: resolve the URL to a proxy list (the highest-ranked {@code ProxyResolver}, then the
 * {@code ProxyDelegate}s, then the bad-proxy list), then take a pooled connection or run a connect job through each
 * proxy in turn, falling back on the errors Chromium falls back on and marking the failed proxy bad.
 *
 * <p>The future completes on {@code loop}. It fails with a {@link ConnectJobException} (the last proxy's failure), a
 * {@link dev.ferry.api.proxy.ProxyResolutionException}, or a pool-limit timeout ({@link ConnectJobException} with
 * {@code CONNECTION_LIMIT_REACHED}), or a {@link ServiceUnavailableException} when a service it needs (the resolver)
 * is not running. Cancelling it stops the job and closes what it made.
 */
@ProviderType
public interface UpstreamConnector {

    Future<UpstreamLease> connect(UpstreamRequest request, EventLoop loop);
}
