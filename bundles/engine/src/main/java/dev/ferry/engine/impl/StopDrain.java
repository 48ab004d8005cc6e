package dev.ferry.engine.impl;

import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful stop of the whole proxy (SIGTERM, or the system bundle stopped from the console): before Felix stops any
 * bundle, every listener stops accepting at the same moment, and the stop waits until their connections have finished
 * what was in flight (idle ones close at once), or until the longest drain timeout, whichever comes first.
 *
 * <p>Felix tells a synchronous bundle listener that the system bundle is STOPPING on its shutdown thread, before it
 * stops the first bundle; holding that thread holds the stop, while the transport, the codecs, the pool and the
 * plugins the connections need are all still there. (Waiting in each listener's deactivation instead would drain the
 * listeners one after the other, the later ones still accepting, and with services already gone.)
 */
@Component(service = StopDrain.class)
public final class StopDrain implements SynchronousBundleListener {

    /** One listener's part in a stop. */
    interface Drainable {
        /**
         * Stops accepting and tells the connections; returns null when there is nothing to wait for.
         */
        Future<?> stopAccepting();

        /** Its drain timeout, the longest the stop waits for it. */
        int drainTimeoutSeconds();
    }

    private static final Logger LOG = LoggerFactory.getLogger(StopDrain.class);

    private final Set<Drainable> listeners = ConcurrentHashMap.newKeySet();
    private BundleContext context;

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    void add(Drainable listener) {
        listeners.add(listener);
    }

    void remove(Drainable listener) {
        listeners.remove(listener);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
            drain();
        }
    }

    /** Stops every listener accepting, then waits for their connections; runs on Felix's shutdown thread. */
    void drain() {
        long start = System.nanoTime();
        List<Future<?>> closing = new ArrayList<>();
        int longest = 0;
        for (Drainable listener : listeners) {
            Future<?> closed = listener.stopAccepting();
            if (closed != null) {
                closing.add(closed);
                longest = Math.max(longest, listener.drainTimeoutSeconds());
            }
        }
        LOG.info("Ferry stops: {} listeners closed; waiting up to {} s for their connections to finish",
                closing.size(), longest);
        // A second past the longest timeout: by then each listener has closed what was left itself.
        long deadline = start + TimeUnit.SECONDS.toNanos(longest + 1L);
        boolean finished = true;
        for (Future<?> closed : closing) {
            long left = deadline - System.nanoTime();
            try {
                finished &= left > 0 && closed.await(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
                break;
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (finished) {
            LOG.info("Ferry stops: every connection finished in {} ms", millis);
        } else {
            LOG.warn("Ferry stops: connections still open after {} ms, past the drain timeout; stopping anyway",
                    millis);
        }
    }
}
