package dev.ferry.transport.impl;

import static org.junit.Assert.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes Netty's leak reports (leak detection runs at paranoid in the unit tests) fail the test instead of only
 * being logged. {@link #install()} must run before the first buffer is allocated: every test class calls it from a
 * static initializer.
 */
final class Leaks {

    private static final List<String> REPORTED = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new ResourceLeakDetector<T>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        REPORTED.add(resourceType + records);
                        super.reportTracedLeak(resourceType, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        REPORTED.add(resourceType);
                        super.reportUntracedLeak(resourceType);
                    }
                };
            }
        });
    }

    private Leaks() {
    }

    static void install() {
        // the static initializer did it
    }

    /** Collects garbage, lets the detectors look at what was collected unreleased, and fails on any report. */
    static void assertNone() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(30);
            // Reports are made when the next buffers are tracked.
            for (int j = 0; j < 50; j++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(16);
                pooled.release();
                ByteBuf unpooled = Unpooled.buffer(16);
                unpooled.release();
            }
        }
        List<String> leaks = List.copyOf(REPORTED);
        REPORTED.clear();
        assertEquals("Netty reported leaks", List.of(), leaks);
    }
}
