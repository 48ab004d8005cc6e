package dev.ferry.engine.impl;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the access log's lines to the {@code ferry.access} logger from a thread of its own, in the order the
 * exchanges ended, so that the proxy's I/O threads only add a line to a queue. While lines keep coming the writer takes
 * them in rounds {@link #ROUND_MILLIS} apart and nobody wakes it; it is woken only after a round that found nothing.
 * (A logger or appender that wakes its thread for every line costs an I/O thread a futex call and the machine two
 * context switches per request: about 10 us of a keep-alive GET here, a fifth of the proxy's CPU.)
 *
 * <p>Each line carries the time its exchange ended (the layout prints the message only). A full queue
 * ({@link #CAPACITY} lines: the disk stalls) makes the I/O threads wait rather than lose a line. At deactivation
 * the writer writes what is queued before it ends; a line that comes after that is logged on the thread that ended
 * its exchange, as one is when there is no writer at all (unit tests).
 */
@Component(service = AccessLogWriter.class, immediate = true)
public final class AccessLogWriter {

    static final long ROUND_MILLIS = 10;
    static final int CAPACITY = 65_536;
    private static final long FULL_WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long STOP_WAIT_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);

    private final Consumer<String> sink;
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Set by the writer before it parks without a deadline; whoever clears it wakes the writer. */
    private final AtomicBoolean asleep = new AtomicBoolean();
    /** Offers under way: deactivation waits for them, so that none adds a line after the writer's last look. */
    private final AtomicInteger offering = new AtomicInteger();
    /** No more lines are taken. */
    private volatile boolean stopping;
    /** Set once no offer is under way after {@link #stopping}: the writer ends when it finds the queue empty. */
    private volatile boolean finishing;
    private Thread thread;

    public AccessLogWriter() {
        this(AccessLog::write);
    }

    /** A writer that hands its lines to {@code sink} (tests). */
    AccessLogWriter(Consumer<String> sink) {
        this.sink = sink;
    }

    @Activate
    void activate() {
        thread = new Thread(this::run, "ferry-access-log");
        thread.setDaemon(true); // never keeps the JVM from exiting; deactivate() is what ends it in order
        thread.start();
        AccessLog.writeThrough(this);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        AccessLog.writeThrough(null);
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        while (offering.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait(); // an offer takes a microsecond, or waits for room the writer is making
        }
        finishing = true;
        LockSupport.unpark(thread);
        thread.join(STOP_WAIT_MILLIS);
        if (thread.isAlive()) {
            LOG.warn("Access log: the writer did not finish within {} ms; {} line(s) still queued", STOP_WAIT_MILLIS,
                    queued.get());
        }
    }

    /** Queues {@code line}; waits while {@link #CAPACITY} lines are queued. Returns false once stopped. */
    boolean offer(String line) {
        offering.incrementAndGet();
        try {
            if (stopping) {
                return false;
            }
            while (queued.get() >= CAPACITY) {
                wake();
                LockSupport.parkNanos(FULL_WAIT_NANOS);
            }
            queued.incrementAndGet();
            lines.offer(line);
            wake();
            return true;
        } finally {
            offering.decrementAndGet();
        }
    }

    private void wake() {
        if (asleep.get() && asleep.compareAndSet(true, false)) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (true) {
            if (writeQueued() > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ROUND_MILLIS));
                continue;
            }
            if (finishing) {
                writeQueued(); // (what the last offers added since the round above)
                return;
            }
            asleep.set(true);
            // An offer after this check finds asleep set and unparks; an unpark before park() makes it return at once.
            if (lines.isEmpty() && !finishing) {
                LockSupport.park(this);
            }
            asleep.set(false);
        }
    }

    private int writeQueued() {
        int written = 0;
        for (String line; (line = lines.poll()) != null;) {
            queued.decrementAndGet();
            try {
                sink.accept(line);
            } catch (RuntimeException e) {
                // (the writer goes on: were it to end, the queue would fill and the I/O threads wait for good)
                LOG.warn("Access log: a line could not be written ({}): {}", e, line);
            }
            written++;
        }
        return written;
    }
}
