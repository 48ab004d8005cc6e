package dev.ferry.testing;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.AssumptionViolatedException;
import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.MultipleFailureException;
import org.junit.runners.model.Statement;

/**
 * Makes Netty's leak reports fail JUnit 4 tests. Every test class whose tests or fixtures allocate Netty buffers,
 * channels or SSL engines declares, as its <em>first</em> field:
 *
 * <pre>
 * &#64;ClassRule(order = Integer.MIN_VALUE)
 * &#64;Rule(order = Integer.MIN_VALUE)
 * public static final LeakCheck LEAKS = new LeakCheck();
 * </pre>
 *
 * <p>(One static field serves as both; the lowest order makes it the outermost rule, so that it checks after the
 * class's other rules, fixtures among them, have cleaned up.)
 *
 * <p>Initializing that field loads this class, which sets leak detection to {@code PARANOID} (every buffer tracked,
 * with its access records) and installs a {@link ResourceLeakDetectorFactory} whose detectors record every leak they
 * report (and still log it). This happens when the test class is initialized, before its other static fields, its
 * {@code @BeforeClass} methods and its tests. As a method rule the check runs after each test, after its
 * {@code @After} methods: it collects garbage, lets the detectors look at what was collected unreleased, and fails
 * the test if anything was reported. As a class rule it does the same after {@code @AfterClass}, for what the class's
 * shared fixtures leaked. A test that failed on its own and leaked reports both failures. (When every object the
 * detectors track has been released there is nothing to report, and the garbage collection is skipped.)
 *
 * <p>Netty tracks pooled buffers and unpooled direct ones, SSL engines and contexts, and timers; it does not track
 * unpooled heap buffers ({@code Unpooled.buffer}, {@code copiedBuffer}, {@code wrappedBuffer}), whose memory the
 * garbage collector takes back anyway, so their leaks cannot be reported.
 *
 * <p>Netty makes the buffers' leak detector once per JVM, when the first buffer class is initialized. A module's test
 * classes share one JVM, so a class without this rule that allocates buffers before the first class with it would
 * leave Netty's own detector in place and every leak unnoticed. The check therefore also fails when the buffers'
 * detector is not the recording one, instead of passing vacuously; the cure is to give that class the rule too.
 */
public final class LeakCheck implements TestRule {

    private static final Queue<String> REPORTED = new ConcurrentLinkedQueue<>();
    private static final List<Recording<?>> DETECTORS = new CopyOnWriteArrayList<>();

    /** Turned off by the check's own test while it leaks on purpose, so that no one mistakes those for real leaks. */
    static volatile boolean logReports = true;

    /** Set when Netty asked this factory for the buffers' detector (the fallback if it cannot be looked at). */
    private static volatile boolean byteBufDetectorMade;

    /** Netty's own (private) ways to make a detector report now and to count what it still tracks; may be null. */
    private static final Method REPORT_LEAK =
            accessible(() -> ResourceLeakDetector.class.getDeclaredMethod("reportLeak"));
    private static final Field ALL_LEAKS = accessible(() -> ResourceLeakDetector.class.getDeclaredField("allLeaks"));
    private static final Field BYTE_BUF_DETECTOR =
            accessible(() -> AbstractByteBuf.class.getDeclaredField("leakDetector"));

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                Recording<T> detector = new Recording<>(resource, samplingInterval);
                DETECTORS.add(detector);
                if (resource == ByteBuf.class) {
                    byteBufDetectorMade = true;
                }
                return detector;
            }
        });
    }

    /** A detector that records what it reports, and reports even when Netty's logger would drop the report. */
    private static final class Recording<T> extends ResourceLeakDetector<T> {

        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            REPORTED.add(resourceType + " leaked:" + records);
            if (logReports) {
                super.reportTracedLeak(resourceType, records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            REPORTED.add(resourceType + " leaked (no records)");
            if (logReports) {
                super.reportUntracedLeak(resourceType);
            }
        }
    }

    @Override
    public Statement apply(Statement base, Description description) {
        return new Statement() {
            @Override
            public void evaluate() throws Throwable {
                Throwable failure = null;
                try {
                    base.evaluate();
                } catch (Throwable t) {
                    failure = t;
                }
                AssertionError leaks = null;
                try {
                    verify(description.getDisplayName());
                } catch (AssertionError e) {
                    leaks = e;
                }
                if (leaks == null) {
                    if (failure != null) {
                        throw failure;
                    }
                } else if (failure == null) {
                    throw leaks;
                } else if (failure instanceof AssumptionViolatedException) {
                    // a skipped test that leaked fails: the leak is real
                    leaks.addSuppressed(failure);
                    throw leaks;
                } else {
                    throw new MultipleFailureException(List.of(failure, leaks));
                }
            }
        };
    }

    /**
     * Installs the recording detectors (by loading this class) if that has not happened yet. Code outside a JUnit 4
     * rule, e.g. a JUnit 5 fuzz target, calls this before it makes its first Netty buffer.
     */
    public static void install() {
        // Nothing to do here: calling any static method runs the static initializer above, once.
    }

    /**
     * The rule's check for code outside a JUnit 4 rule (JUnit 5 tests, fuzz targets): fails with every leak Netty
     * reported since the last check, naming {@code where}. Cheap when every tracked object was released: then no
     * garbage is collected.
     */
    public static void assertNoLeaks(String where) {
        try {
            verify(where);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while checking for leaks in " + where, e);
        }
    }

    /**
     * How many objects the detectors track that were neither released nor reported yet, or -1 if unknown: a cheap
     * look (no garbage collection) for code that checks often, e.g. after every fuzz input, and runs
     * {@link #assertNoLeaks} only when this grew. (Netty's own static buffers stay tracked for good.)
     */
    public static int unreleased() {
        return trackedAndUnreleased();
    }

    /**
     * Fails unless the buffers' detector is the recording one, then collects garbage, makes every detector report
     * what was collected unreleased, and fails (naming {@code where}) if anything was reported since the last check.
     */
    static void verify(String where) throws InterruptedException {
        if (!recordingDetectorInUse()) {
            throw new AssertionError("Netty's ByteBuf leak detector was made before LeakCheck was installed: something"
                    + " in this JVM allocated buffers before any LeakCheck rule was initialized (another test class,"
                    + " run earlier, without the rule; or a static field declared before the rule's), so leaks go"
                    + " unnoticed. Give every test class that allocates Netty buffers the rule, as its first field"
                    + " (see dev.ferry.testing.LeakCheck). (checked in " + where + ")");
        }
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            StringBuilder message = new StringBuilder()
                    .append("Netty reported ").append(leaks.size()).append(" leak(s) in ").append(where).append(':');
            for (String leak : leaks) {
                message.append("\n\n").append(leak);
            }
            throw new AssertionError(message.toString());
        }
    }

    /** Collects garbage, lets the detectors report, and returns (and forgets) what they reported. */
    static List<String> collect() throws InterruptedException {
        if (trackedAndUnreleased() != 0) {
            for (int round = 0; round < 3; round++) {
                System.gc();
                // the reference handler enqueues what the collector found; detectors look at their queue when they
                // track their next object
                Thread.sleep(40);
                // (tracked kinds only: Netty does not track unpooled heap buffers)
                for (ByteBuf probe : new ByteBuf[] {PooledByteBufAllocator.DEFAULT.directBuffer(1),
                        PooledByteBufAllocator.DEFAULT.heapBuffer(1),
                        UnpooledByteBufAllocator.DEFAULT.directBuffer(1)}) {
                    probe.release();
                }
                // detectors of other resources (SSL engines and contexts, timers) look now, not at their next use
                if (REPORT_LEAK != null) {
                    for (Recording<?> detector : DETECTORS) {
                        try {
                            REPORT_LEAK.invoke(detector);
                        } catch (ReflectiveOperationException e) {
                            throw new AssertionError("cannot make a Netty leak detector report", e);
                        }
                    }
                }
            }
        }
        List<String> leaks = new ArrayList<>();
        for (String leak; (leak = REPORTED.poll()) != null;) {
            leaks.add(leak);
        }
        return leaks;
    }

    /**
     * How many objects the detectors track that were neither released nor reported yet (leaked ones among them), or
     * -1 if unknown. None means nothing can be reported, and the garbage collection can be skipped.
     */
    private static int trackedAndUnreleased() {
        if (ALL_LEAKS == null) {
            return -1;
        }
        int tracked = 0;
        for (Recording<?> detector : DETECTORS) {
            try {
                tracked += ((Set<?>) ALL_LEAKS.get(detector)).size();
            } catch (ReflectiveOperationException | ClassCastException e) {
                return -1;
            }
        }
        return tracked;
    }

    private static boolean recordingDetectorInUse() {
        if (BYTE_BUF_DETECTOR != null) {
            try {
                return BYTE_BUF_DETECTOR.get(null) instanceof Recording;
            } catch (ReflectiveOperationException e) {
                // fall through
            }
        }
        // the buffer classes are initialized (with whichever factory was current) by the time a buffer exists
        UnpooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
        return byteBufDetectorMade;
    }

    private interface Lookup<T> {
        T find() throws ReflectiveOperationException;
    }

    private static <T extends java.lang.reflect.AccessibleObject> T accessible(Lookup<T> lookup) {
        try {
            T member = lookup.find();
            member.setAccessible(true);
            return member;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
