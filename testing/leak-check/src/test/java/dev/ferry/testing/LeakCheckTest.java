package dev.ferry.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.UUID;
import org.hamcrest.Matcher;
import org.junit.AssumptionViolatedException;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.MultipleFailureException;
import org.junit.runners.model.Statement;

/**
 * The check every module's tests rely on does fail a test that leaks, so that it cannot quietly stop working: each
 * test runs a LeakCheck around a statement and looks at what comes out. (The class has the rule itself, too: anything
 * a test here leaks beyond what it checks fails it.)
 */
public class LeakCheckTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final Description A_TEST = Description.createTestDescription(LeakCheckTest.class, "aTest");
    private static final Description A_CLASS = Description.createSuiteDescription(LeakCheckTest.class);

    /** A resource of its own, for a leak detector that is not the buffers'. */
    static final class Resource {
    }

    /** Runs {@code body} inside a fresh LeakCheck, quietly (the leaks are on purpose); returns what it threw. */
    private static Throwable run(Description description, Statement body) {
        LeakCheck.logReports = false;
        try {
            new LeakCheck().apply(body, description).evaluate();
            return null;
        } catch (Throwable t) {
            return t;
        } finally {
            LeakCheck.logReports = true;
        }
    }

    /** Allocates, touches with {@code hint} (so the report is new and recognizable) and drops without release. */
    private static void leakPooledDirect(String hint) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buffer.writeLong(42);
        buffer.touch(hint);
    }

    private static void leakPooledHeap(String hint) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        buffer.writeLong(42);
        buffer.touch(hint);
    }

    /**
     * Unpooled direct: Netty tracks no unpooled heap buffers (Unpooled.buffer, copiedBuffer, wrappedBuffer), whose
     * memory the garbage collector takes back anyway.
     */
    private static void leakUnpooledDirect(String hint) {
        ByteBuf buffer = Unpooled.directBuffer(16).writeByte(1);
        buffer.touch(hint);
    }

    private static String hint() {
        return "leaked-on-purpose-" + UUID.randomUUID();
    }

    @Test
    public void leakDetectionRunsAtParanoid() {
        assertSame(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    public void aTestThatLeaksBuffersFails() {
        String pooledDirect = hint();
        String pooledHeap = hint();
        String unpooledDirect = hint();
        Throwable thrown = run(A_TEST, new Statement() {
            @Override
            public void evaluate() {
                leakPooledDirect(pooledDirect);
                leakPooledHeap(pooledHeap);
                leakUnpooledDirect(unpooledDirect);
            }
        });
        assertNotNull("the leaks were not reported", thrown);
        assertSame(AssertionError.class, thrown.getClass());
        String message = thrown.getMessage();
        assertTrue(message, message.startsWith("Netty reported 3 leak(s) in " + A_TEST.getDisplayName()));
        assertTrue(message, message.contains("ByteBuf"));
        assertTrue(message, message.contains(pooledDirect));
        assertTrue(message, message.contains(pooledHeap));
        assertTrue(message, message.contains(unpooledDirect));
    }

    @Test
    public void asAClassRuleItFailsTheClassToo() {
        String hint = hint();
        Throwable thrown = run(A_CLASS, new Statement() {
            @Override
            public void evaluate() {
                leakPooledDirect(hint);
            }
        });
        assertNotNull("the leak was not reported", thrown);
        assertTrue(thrown.getMessage(), thrown.getMessage().contains(hint));
    }

    @Test
    public void aTestThatReleasesWhatItAllocatesPasses() {
        Throwable thrown = run(A_TEST, new Statement() {
            @Override
            public void evaluate() {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1);
                ByteBuf unpooled = Unpooled.directBuffer(16).writeByte(1);
                pooled.release();
                unpooled.release();
            }
        });
        assertEquals(null, thrown);
    }

    @Test
    public void aTestThatFailsAndLeaksReportsBoth() {
        String hint = hint();
        AssertionError own = new AssertionError("the test's own failure");
        Throwable thrown = run(A_TEST, new Statement() {
            @Override
            public void evaluate() {
                leakUnpooledDirect(hint);
                throw own;
            }
        });
        assertTrue(String.valueOf(thrown), thrown instanceof MultipleFailureException);
        MultipleFailureException both = (MultipleFailureException) thrown;
        assertEquals(2, both.getFailures().size());
        assertSame(own, both.getFailures().get(0));
        assertTrue(both.getFailures().get(1).getMessage(), both.getFailures().get(1).getMessage().contains(hint));
    }

    @Test
    public void aSkippedTestThatLeakedFails() {
        String hint = hint();
        Throwable thrown = run(A_TEST, new Statement() {
            @Override
            public void evaluate() {
                leakUnpooledDirect(hint);
                throw new AssumptionViolatedException("skipped");
            }
        });
        assertSame(AssertionError.class, thrown.getClass());
        assertTrue(thrown.getMessage(), thrown.getMessage().contains(hint));
    }

    @Test
    public void aTestThatFailsWithoutLeakingFailsAsItself() {
        AssertionError own = new AssertionError("the test's own failure");
        Throwable thrown = run(A_TEST, new Statement() {
            @Override
            public void evaluate() {
                throw own;
            }
        });
        assertSame(own, thrown);
    }

    @Test
    public void leaksOfResourcesOtherThanBuffersAreReported() {
        // as Netty's SSL engines and timers get theirs: from the factory, when their class is initialized
        ResourceLeakDetector<Resource> detector =
                ResourceLeakDetectorFactory.instance().newResourceLeakDetector(Resource.class);
        String hint = hint();
        Throwable thrown = run(A_TEST, new Statement() {
            @Override
            public void evaluate() {
                ResourceLeakTracker<Resource> tracker = detector.track(new Resource());
                tracker.record(hint);
                // neither closed nor kept
            }
        });
        assertNotNull("the leak was not reported", thrown);
        assertTrue(thrown.getMessage(), thrown.getMessage().contains(Resource.class.getSimpleName()));
        assertTrue(thrown.getMessage(), thrown.getMessage().contains(hint));
    }

    @Test
    public void aCheckInstalledAfterBuffersWereAllocatedFailsInsteadOfPassing() throws Exception {
        // a JVM of its own, as far as Netty and the check are concerned: the buffers come first, then the check
        try (URLClassLoader fresh = isolatedNettyAndCheck()) {
            allocateAndRelease(fresh);
            Throwable thrown = verify(fresh);
            assertNotNull("a check installed too late passed", thrown);
            assertSame(AssertionError.class, thrown.getClass());
            assertTrue(thrown.getMessage(), thrown.getMessage().contains("made before LeakCheck was installed"));
        }
        // the same with the check first passes: it is the order that failed above
        try (URLClassLoader fresh = isolatedNettyAndCheck()) {
            Class.forName(LeakCheck.class.getName(), true, fresh);
            allocateAndRelease(fresh);
            assertEquals(null, verify(fresh));
        }
    }

    private static URLClassLoader isolatedNettyAndCheck() {
        return new URLClassLoader(new URL[] {where(LeakCheck.class), where(ByteBuf.class),
                where(ResourceLeakDetector.class), where(TestRule.class), where(Matcher.class)},
                ClassLoader.getPlatformClassLoader());
    }

    private static URL where(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    private static void allocateAndRelease(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> unpooled = Class.forName(Unpooled.class.getName(), true, loader);
        Object buffer = unpooled.getMethod("buffer", int.class).invoke(null, 16);
        buffer.getClass().getMethod("release").invoke(buffer);
    }

    /** The isolated LeakCheck's verification: what it threw, or null. */
    private static Throwable verify(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> check = Class.forName(LeakCheck.class.getName(), true, loader);
        java.lang.reflect.Method verify = check.getDeclaredMethod("verify", String.class);
        verify.setAccessible(true);
        try {
            verify.invoke(null, "an isolated test");
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
    }

    @Test
    public void theIsolatedLoaderReallyIsolates() throws Exception {
        try (URLClassLoader fresh = isolatedNettyAndCheck()) {
            if (Class.forName(ByteBuf.class.getName(), false, fresh) == ByteBuf.class) {
                fail("the isolated loader shares Netty with this one; the test above proves nothing");
            }
        }
    }
}
