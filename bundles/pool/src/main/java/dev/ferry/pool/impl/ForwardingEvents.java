package dev.ferry.pool.impl;

import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.PoolKey;
import java.net.URI;

/** Passes every event to another {@link ConnectEvents}; subclasses watch the ones they care about. */
class ForwardingEvents implements ConnectEvents {

    private final ConnectEvents target;

    ForwardingEvents(ConnectEvents target) {
        this.target = target;
    }

    @Override
    public void resolved(URI url, ProxyList proxies) {
        target.resolved(url, proxies);
    }

    @Override
    public void reused(PoolKey key) {
        target.reused(key);
    }

    @Override
    public void waiting(PoolKey key, String limit) {
        target.waiting(key, limit);
    }

    @Override
    public void stageStarted(PoolKey key, ConnectStage stage, String target) {
        this.target.stageStarted(key, stage, target);
    }

    @Override
    public void stageDone(PoolKey key, ConnectStage stage, long nanos) {
        target.stageDone(key, stage, nanos);
    }

    @Override
    public void tunnelResponse(PoolKey key, TunnelResponse response) {
        target.tunnelResponse(key, response);
    }

    @Override
    public void fallback(ProxyServer bad, ConnectJobException cause) {
        target.fallback(bad, cause);
    }
}
