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
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the access log's lines to the {@code ferry.access} logger from a thread of its own, in the order the
 * exchanges ended, so that the proxy's I/O threads only add a line to a queue. While lines keep coming the writer
 * takes them in rounds {@code roundMillis} (10) apart and nobody wakes it; it is woken only after a round that found
 * nothing.
 * (A logger or appender that wakes its thread for every line costs an I/O thread a futex call and the machine two
 * context switches per request: about 10 us of a keep-alive GET here, a fifth of the proxy's CPU.)
 *
 * <p>Each line carries the time its exchange ended (the layout prints the message only). A full queue
 * ({@code queueLines}: the disk stalls) makes the I/O threads wait rather than lose a line. Both settings apply live.
 * At deactivation the writer writes what is queued before it ends; a line that comes after that is logged on the
 * thread that ended its exchange, as one is when there is no writer at all (unit tests).
 */
@Component(service = AccessLogWriter.class, immediate = true, configurationPid = AccessLogWriter.PID)
@Designate(ocd = AccessLogWriter.Config.class)
public final class AccessLogWriter {

    static final String PID = "dev.ferry.engine.accesslog";

    @ObjectClassDefinition(name = "Ferry access log writer", description = "How the access log's lines go from the "
            + "proxy's I/O threads to the ferry.access logger")
    @interface Config {
        @AttributeDefinition(description = "Lines waiting for the writer at most; with this many queued (the disk "
                + "stalls), the I/O threads wait for room: no line is lost", min = "1")
        int queueLines() default 65_536;

        @AttributeDefinition(description = "While lines keep coming, the writer takes them this often (ms), and "
                + "nobody wakes it in between; an idle writer is woken by the next line", min = "1", max = "1000")
        int roundMillis() default 10;
    }

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
    private volatile int queueLines = 65_536;
    private volatile long roundNanos = TimeUnit.MILLISECONDS.toNanos(10);
    private Thread thread;

    public AccessLogWriter() {
        this(AccessLog::write);
    }

    /** A writer that hands its lines to {@code sink} (tests). */
    AccessLogWriter(Consumer<String> sink) {
        this.sink = sink;
    }

    @Activate
    void activate(Config config) {
        apply(config);
        thread = new Thread(this::run, "ferry-access-log");
        thread.setDaemon(true); // never keeps the JVM from exiting; deactivate() is what ends it in order
        thread.start();
        AccessLog.writeThrough(this);
    }

    /** A new queue bound (lines already queued beyond it are still written) or round: from the next line on. */
    @Modified
    void apply(Config config) {
        if (config.queueLines() < 1 || config.roundMillis() < 1 || config.roundMillis() > 1000) {
            LOG.error("{}: queueLines must be at least 1 and roundMillis 1 to 1000, got {} and {}; keeping {} and {}",
                    PID, config.queueLines(), config.roundMillis(), queueLines,
                    TimeUnit.NANOSECONDS.toMillis(roundNanos));
            return;
        }
        queueLines = config.queueLines();
        roundNanos = TimeUnit.MILLISECONDS.toNanos(config.roundMillis());
        LOG.info("Access log writer: queueLines={} roundMillis={}", queueLines, config.roundMillis());
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

    /** Queues {@code line}; waits while {@code queueLines} lines are queued. Returns false once stopped. */
    boolean offer(String line) {
        offering.incrementAndGet();
        try {
            if (stopping) {
                return false;
            }
            while (queued.get() >= queueLines) {
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
                LockSupport.parkNanos(roundNanos);
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
