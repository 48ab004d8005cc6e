package dev.ferry.api.upstream;

import dev.ferry.api.proxy.ProxyServer;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One upstream connection lent to one exchange. For HTTP it comes with the request's client codec already on its
 * pipeline; for a tunnel it carries raw bytes. The lease belongs to the pool that made it (its generation): a pool
 * replaced while the lease is out still takes it back, or closes it when that pool has stopped, so an exchange in
 * flight never touches the pool that replaced it.
 *
 * <p>Exactly one of {@link #release()} and {@link #close()} ends the lease; later calls do nothing. A lease and its
 * connection are used on the connection's event loop.
 */
@ProviderType
public interface UpstreamLease {

    Channel channel();

    PoolKey key();

    default ProxyServer proxy() {
        return key().proxy();
    }

    /** Whether the connection served an exchange before (an idle connection the peer may have closed meanwhile). */
    boolean reused();

    /**
     * Whether HTTP requests go in absolute form ({@code GET http://host/path}): through an HTTP or HTTPS upstream
     * proxy without a tunnel. DIRECT, SOCKS and tunnelled connections take origin-form.
     */
    default boolean absoluteForm() {
        ProxyServer.Scheme scheme = key().proxy().scheme();
        return !key().group().secure()
                && (scheme == ProxyServer.Scheme.HTTP || scheme == ProxyServer.Scheme.HTTPS);
    }

    /** Headers every request sent on this connection must carry (e.g. preemptive {@code Proxy-Authorization}). */
    Map<String, String> requestHeaders();

    /**
     * The exchange is complete and the connection may serve another: back to the pool, for reuse. The caller has
     * taken its own handlers off the pipeline; the client codec stays.
     */
    void release();

    /** Ends the lease by closing the connection (broken, or not reusable). */
    void close();

    /**
     * Closes this connection and gets one fresh connection (never an idle one) of the same key from the same pool,
     * for sending a request again that a reused connection lost unanswered. A lease got from {@code retry()} fails
     * its own {@code retry()}: one retry per request.
     */
    Future<UpstreamLease> retry();
}
