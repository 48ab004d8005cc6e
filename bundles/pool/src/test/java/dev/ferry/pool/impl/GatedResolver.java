package dev.ferry.pool.impl;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolver;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A blocking resolver (as a PAC script is) that holds every resolution until {@link #release()} (or a timeout),
 * then answers DIRECT: the connector runs it on its resolver threads, and resolutions queue behind it.
 */
final class GatedResolver implements ProxyResolver {

    private final CountDownLatch gate = new CountDownLatch(1);
    private final long timeoutSeconds;

    GatedResolver(long timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    void release() {
        gate.countDown();
    }

    @Override
    public ProxyList resolve(URI url) {
        try {
            gate.await(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ProxyList.DIRECT;
    }

    @Override
    public boolean mayBlock() {
        return true;
    }
}
