package dev.ferry.api.spi;

import java.net.URL;
import java.util.Enumeration;
import org.osgi.framework.Bundle;

/**
 * Loads every class of a bundle when it starts. Objects of a bundle outlive it: connections, tunnels and leases drain
 * on the old code after the bundle is updated, while the new revision takes new work. Once the framework refreshes
 * the package wiring (the Web Console does after an update), the old revision's class loader can load nothing more,
 * and a class first needed by a draining connection (an error path, say) would fail with {@code
 * NoClassDefFoundError}. Classes loaded before stay usable, so loading them all up front makes the drain safe.
 */
public final class RevisionClasses {

    private RevisionClasses() {
    }

    /** Loads (without initializing) every class in {@code bundle}'s own content; returns how many loaded. */
    public static int loadAll(Bundle bundle) {
        Enumeration<URL> entries = bundle.findEntries("/", "*.class", true);
        int loaded = 0;
        while (entries != null && entries.hasMoreElements()) {
            String path = entries.nextElement().getPath();
            String name = path.substring(path.startsWith("/") ? 1 : 0, path.length() - ".class".length())
                    .replace('/', '.');
            if (name.endsWith("package-info") || name.endsWith("module-info")) {
                continue;
            }
            try {
                bundle.loadClass(name);
                loaded++;
            } catch (ClassNotFoundException | LinkageError skipped) {
                // A class needing an optional package that is absent: it would not load later either.
            }
        }
        return loaded;
    }
}
