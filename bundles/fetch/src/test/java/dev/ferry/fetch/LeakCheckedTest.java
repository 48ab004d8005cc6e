package dev.ferry.fetch;

import static org.junit.Assert.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;

/**
 * Turns Netty's leak reports into test failures: a leak detector factory (installed before any buffer class is used)
 * records every report; after each test the garbage is collected, the detectors get to look, and no report may be
 * left.
 */
public abstract class LeakCheckedTest {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

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
                        LEAKS.add(resourceType + " leaked:" + records);
                        super.reportTracedLeak(resourceType, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.add(resourceType + " leaked");
                        super.reportUntracedLeak(resourceType);
                    }
                };
            }
        });
    }

    @After
    public void noLeaks() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            // give the collector a moment to enqueue what it found; the detectors look at their next allocation
            Thread.sleep(50);
            for (ByteBuf probe : new ByteBuf[] {PooledByteBufAllocator.DEFAULT.directBuffer(1),
                    PooledByteBufAllocator.DEFAULT.heapBuffer(1), UnpooledByteBufAllocator.DEFAULT.directBuffer(1),
                    UnpooledByteBufAllocator.DEFAULT.heapBuffer(1)}) {
                probe.release();
            }
        }
        List<String> leaks = new ArrayList<>(LEAKS);
        LEAKS.clear();
        assertEquals("Netty buffers leaked", List.of(), leaks);
    }
}
