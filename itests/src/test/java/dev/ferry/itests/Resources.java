package dev.ferry.itests;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What a test class started (Ferries, origins, test proxies), closed together in reverse order of starting, after
 * each Ferry was checked for leaked buffers.
 */
final class Resources implements AutoCloseable {

    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private final List<FerryProcess> ferries = new ArrayList<>();

    <T extends AutoCloseable> T add(T resource) {
        open.push(resource);
        if (resource instanceof FerryProcess) {
            ferries.add((FerryProcess) resource);
        }
        return resource;
    }

    /**
     * Sends a request for pattern data from {@code origin} through each Ferry after a garbage collection and fails
     * on any leak report (see {@link FerryProcess#checkForLeaks}); closes everything in any case.
     */
    void checkLeaksAndClose(TestOrigin origin) throws Exception {
        try {
            if (origin != null) {
                for (FerryProcess ferry : ferries) {
                    // A Ferry a test killed on purpose has nothing left to check.
                    if (ferry.isAlive()) {
                        ferry.checkForLeaks(origin.url("/bytes?n=100000"));
                    }
                }
            }
        } finally {
            close();
        }
    }

    /** Closes everything, even when some fail; the first failure is thrown with the others suppressed. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        ferries.clear();
        if (first != null) {
            throw first;
        }
    }
}
