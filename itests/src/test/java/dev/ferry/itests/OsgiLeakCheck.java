package dev.ferry.itests;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Netty's buffer leak check for a Felix running in the test's own JVM (Pax Exam's native container), where the Netty
 * the bundles use is not the test class path's: it collects garbage, then takes from the buffers' leak detector (found
 * through the netty-buffer bundle) every tracked buffer that was collected without being released, which is what
 * the detector would report at its next allocation. Netty's fields are private, so this reads them reflectively, as
 * {@code dev.ferry.testing.LeakCheck} does for the unit tests.
 */
final class OsgiLeakCheck {

    private OsgiLeakCheck() {
    }

    /** The buffers collected unreleased since the last call, each described by Netty's access records. */
    static List<String> leaks(BundleContext context) throws Exception {
        Object detector = byteBufLeakDetector(context);
        Class<?> detectorClass = detector.getClass();
        while (!detectorClass.getName().equals("io.netty.util.ResourceLeakDetector")) {
            detectorClass = detectorClass.getSuperclass();
        }
        Field queueField = detectorClass.getDeclaredField("refQueue");
        queueField.setAccessible(true);
        ReferenceQueue<?> queue = (ReferenceQueue<?>) queueField.get(detector);
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        List<String> leaks = new ArrayList<>();
        for (Reference<?> ref; (ref = queue.poll()) != null;) {
            Method dispose = ref.getClass().getDeclaredMethod("dispose");
            dispose.setAccessible(true);
            // true: it was still tracked, i.e. nobody released it (a released buffer stops being tracked)
            if ((Boolean) dispose.invoke(ref)) {
                leaks.add(ref.toString());
            }
        }
        return leaks;
    }

    /** Allocates a pooled direct buffer from the bundles' Netty and drops it unreleased (for the check's own test). */
    static void leakOneBuffer(BundleContext context) throws Exception {
        Class<?> allocator = nettyBuffer(context).loadClass("io.netty.buffer.PooledByteBufAllocator");
        Object pooled = allocator.getField("DEFAULT").get(null);
        allocator.getMethod("directBuffer", int.class).invoke(pooled, 64);
    }

    private static Object byteBufLeakDetector(BundleContext context) throws Exception {
        Field field = nettyBuffer(context).loadClass("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
        field.setAccessible(true);
        return field.get(null);
    }

    private static Bundle nettyBuffer(BundleContext context) {
        for (Bundle b : context.getBundles()) {
            if ("io.netty.buffer".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IllegalStateException("no io.netty.buffer bundle");
    }
}
