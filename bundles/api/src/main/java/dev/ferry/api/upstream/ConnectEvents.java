package dev.ferry.api.upstream;

import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import java.net.URI;

/**
 * What a connector and its connect jobs report as they go: for {@code ferry-fetch -v} and debug logs. All methods do
 * nothing by default; they are called on the event loop and must not block.
 */
public interface ConnectEvents {

    ConnectEvents NONE = new ConnectEvents() { };

    /** The resolver (and delegates, and the bad-proxy list) chose {@code proxies} for {@code url}. */
    default void resolved(URI url, ProxyList proxies) {
    }

    /** An idle pooled connection is reused. */
    default void reused(PoolKey key) {
    }

    /** The pool is at a limit; the request waits for a connection of {@code key}. */
    default void waiting(PoolKey key, String limit) {
    }

    /** A connect-job stage begins; {@code target} is what it talks to (e.g. {@code 127.0.0.1:3128}). */
    default void stageStarted(PoolKey key, ConnectStage stage, String target) {
    }

    /** A connect-job stage completed in {@code nanos}. */
    default void stageDone(PoolKey key, ConnectStage stage, long nanos) {
    }

    /** An upstream proxy answered {@code CONNECT} (any status, including a 407 before credentials are sent). */
    default void tunnelResponse(PoolKey key, TunnelResponse response) {
    }

    /** {@code bad} failed with {@code cause}; it was marked bad and the next proxy is tried. */
    default void fallback(ProxyServer bad, ConnectJobException cause) {
    }
}
