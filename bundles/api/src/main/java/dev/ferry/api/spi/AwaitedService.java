package dev.ferry.api.spi;

import dev.ferry.api.upstream.ServiceUnavailableException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The current service of a dynamic, greedy, optional reference, which a request may wait for while it is missing (its
 * bundle is being updated or restarted) rather than fail at once: a swap costs a client a short wait, not a request.
 * Bind and unbind come from Declarative Services; {@link #await} from the event loops.
 *
 * @param <T> the service type
 */
public final class AwaitedService<T> {

    private final String description;
    private final List<Waiting<T>> waiting = new ArrayList<>();
    private volatile T current;
    private volatile long waitMillis;

    /**
     * @param description what the service is and which bundle provides it, as the 503 names it: e.g.
     *                    {@code the upstream connector (dev.ferry.pool)}
     * @param waitMillis  how long a request waits for a missing service
     */
    public AwaitedService(String description, long waitMillis) {
        this.description = description;
        this.waitMillis = waitMillis;
    }

    /** A new wait applies to requests that start waiting from now on. */
    public void waitMillis(long millis) {
        this.waitMillis = millis;
    }

    /** The service now, or null while none is bound. */
    public T get() {
        return current;
    }

    /** A (better) service arrived: it takes all new work, and the requests waiting get it. */
    public void bind(T service) {
        List<Waiting<T>> served;
        synchronized (waiting) {
            current = service;
            served = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (Waiting<T> w : served) {
            w.timeout.cancel(false);
            w.promise.trySuccess(service);
        }
    }

    /** {@code service} went away; a greedy reference has bound its replacement already if there is one. */
    public void unbind(T service) {
        synchronized (waiting) {
            if (current == service) {
                current = null;
            }
        }
    }

    /**
     * The service at once when it is there; else a future completed on {@code loop} when one is bound, or failed
     * with a {@link ServiceUnavailableException} when none came within the wait. Cancelling the future ends the
     * wait.
     */
    public Future<T> await(EventLoop loop) {
        T now = current;
        if (now != null) {
            return loop.newSucceededFuture(now);
        }
        Promise<T> promise = loop.newPromise();
        long millis = waitMillis;
        synchronized (waiting) {
            if (current != null) {
                return promise.setSuccess(current);
            }
            ScheduledFuture<?> timeout = loop.schedule(() -> {
                synchronized (waiting) {
                    waiting.removeIf(w -> w.promise == promise);
                }
                promise.tryFailure(new ServiceUnavailableException(description, millis));
            }, millis, TimeUnit.MILLISECONDS);
            Waiting<T> w = new Waiting<>(promise, timeout);
            waiting.add(w);
            promise.addListener(f -> {
                if (f.isCancelled()) {
                    timeout.cancel(false);
                    synchronized (waiting) {
                        waiting.remove(w);
                    }
                }
            });
        }
        return promise;
    }

    @Override
    public String toString() {
        return description + (current == null ? " (missing)" : "");
    }

    private static final class Waiting<T> {
        final Promise<T> promise;
        final ScheduledFuture<?> timeout;

        Waiting(Promise<T> promise, ScheduledFuture<?> timeout) {
            this.promise = promise;
            this.timeout = timeout;
        }
    }
}
