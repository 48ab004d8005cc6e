package dev.ferry.spdy.client;

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
 * Makes Netty's leak reports fail tests: installs (before any buffer class loads) a leak detector factory that records
 * every report, and after each test collects garbage, lets the detectors look, and expects no report.
 */
public abstract class LeakCheckedTest {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    /** Set by the test that leaks on purpose, so that its leak is recorded but not logged as a real one. */
    static volatile boolean leakExpected;

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
                        if (!leakExpected) {
                            super.reportTracedLeak(resourceType, records);
                        }
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.add(resourceType + " leaked");
                        if (!leakExpected) {
                            super.reportUntracedLeak(resourceType);
                        }
                    }
                };
            }
        });
    }

    @After
    public void noLeaks() throws InterruptedException {
        assertEquals("Netty buffers leaked", List.of(), collectLeaks());
    }

    /** Collects garbage, lets the detectors report, and returns (and forgets) what they reported. */
    static List<String> collectLeaks() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            // Each tracked allocation makes the detector report what the collector has found unreleased.
            for (ByteBuf probe : new ByteBuf[] {PooledByteBufAllocator.DEFAULT.directBuffer(1),
                    PooledByteBufAllocator.DEFAULT.heapBuffer(1), UnpooledByteBufAllocator.DEFAULT.directBuffer(1),
                    UnpooledByteBufAllocator.DEFAULT.heapBuffer(1)}) {
                probe.release();
            }
        }
        List<String> leaks = new ArrayList<>(LEAKS);
        LEAKS.clear();
        return leaks;
    }
}
