package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes Netty's leak reports (leak detection runs at paranoid in the unit tests) fail the test instead of only
 * being logged, as in the other bundles' tests. {@link #install()} must run before the first buffer is allocated:
 * every test class that allocates buffers calls it from a static initializer. Since all test classes of this module
 * share one JVM, {@link #assertNone()} also checks that the buffers' detector really is the reporting one (it is
 * made once, when {@code AbstractByteBuf} is loaded), so a class that allocated before the hook cannot make the
 * check pass vacuously.
 */
final class Leaks {

    private static final List<String> REPORTED = new CopyOnWriteArrayList<>();

    private static final class Reporting<T> extends ResourceLeakDetector<T> {
        @SuppressWarnings("deprecation")
        Reporting(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

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
    }

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new Reporting<>(resource, samplingInterval);
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
        assertTrue("ByteBuf leak detector was created before Leaks.install(); leaks would go unnoticed",
                byteBufDetector() instanceof Reporting);
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(30);
            // Reports are made when the next buffers are tracked.
            for (int j = 0; j < 50; j++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(16);
                pooled.release();
                ByteBuf unpooled = Unpooled.directBuffer(16);
                unpooled.release();
            }
        }
        List<String> leaks = List.copyOf(REPORTED);
        REPORTED.clear();
        assertEquals("Netty reported leaks", List.of(), leaks);
    }

    private static Object byteBufDetector() {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot inspect Netty's ByteBuf leak detector", e);
        }
    }
}
