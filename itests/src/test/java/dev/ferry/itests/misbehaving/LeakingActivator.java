package dev.ferry.itests.misbehaving;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a bundle the leak check's self-test (LeakCheckSelfTestIT) drops into a running proxy: it allocates
 * a buffer from Netty's allocator, as the proxy does, and loses it without releasing it.
 */
public final class LeakingActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        ByteBuf lost = PooledByteBufAllocator.DEFAULT.buffer(1024);
        lost.writeBytes(new byte[100]);
        System.out.println("dev.ferry.itests.leaking: allocated a buffer and dropped it unreleased");
    }

    @Override
    public void stop(BundleContext context) {
    }
}
