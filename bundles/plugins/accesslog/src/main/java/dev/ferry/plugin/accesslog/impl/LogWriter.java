package dev.ferry.plugin.accesslog.impl;

import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines of one log on their way to its file: a bounded queue that the proxy's I/O threads offer lines to, and
 * one thread of its own ({@code ferry-accesslog-<name>}) that writes them in order. An offer never waits: when
 * {@code capacity} lines are waiting, the line is dropped and counted, and the writer reports the count (a WARN, at
 * most once a minute). The writer takes the lines in rounds {@code roundMillis} apart while they keep coming, and
 * sleeps after a round that found none until the next offer wakes it: a busy proxy's I/O threads do not wake it for
 * each line (a context switch each, which cost more than the writing), an idle proxy's next line is written at once.
 * It flushes after each round, so the file is current to the last line whenever the proxy is idle, and writes in
 * large blocks when it is busy.
 *
 * <p>{@link #close} takes no more lines, lets the offers already under way finish, and has the writer write what is
 * queued, flush and close the file; it waits a bounded time for the thread to end. No line accepted by
 * {@link #offer} is lost by closing. When the log goes on in another writer (a new file), a line offered here after
 * the close (by an exchange that read the old writer just before the switch) is passed on to that one.
 */
final class LogWriter {

    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    private final String name;
    private final LineSink sink;
    /** Unbounded itself: the bound is {@link #queued} against {@link #capacity}, which a change may set anew. */
    private final Queue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile int capacity;
    private volatile long roundNanos;
    /** The writer sleeps until an offer wakes it (it found no line in its last round). */
    private volatile boolean asleep;
    /** Offers under way; {@link #close} waits for them, so that none adds a line after the writer's last look. */
    private final AtomicInteger offering = new AtomicInteger();
    private volatile boolean closed;
    /** The writer that takes over at {@link #close}, if the log goes on; set before {@link #closed}. */
    private volatile LogWriter successor;
    /** Set after {@link #closed} once no offer is under way: the writer ends when it finds the queue empty. */
    private volatile boolean finishing;
    private final DroppedLines dropped = new DroppedLines();
    private final DroppedLines failedWrites = new DroppedLines();
    private IOException lastFailure;
    private final Thread thread;

    private LogWriter(String name, int capacity, int roundMillis, LineSink sink) {
        this.name = name;
        this.capacity = capacity;
        this.roundNanos = TimeUnit.MILLISECONDS.toNanos(roundMillis);
        this.sink = sink;
        this.thread = new Thread(this::run, threadName(name));
        // never keeps the JVM from exiting; close() is what ends it in order
        thread.setDaemon(true);
    }

    /** Starts the writer thread of the log {@code name}, writing to {@code sink}. */
    static LogWriter start(String name, int capacity, int roundMillis, LineSink sink) {
        LogWriter writer = new LogWriter(name, capacity, roundMillis, sink);
        writer.thread.start();
        return writer;
    }

    static String threadName(String logName) {
        return "ferry-accesslog-" + logName;
    }

    /**
     * Queues {@code line} for writing, without waiting. Returns whether it was queued: false when the queue is full
     * (the line is counted as dropped) or the writer is closed and has no successor (the exchange ended after the
     * log did).
     */
    boolean offer(String line) {
        offering.incrementAndGet();
        try {
            if (closed) {
                LogWriter next = successor;
                return next != null && next.offer(line);
            }
            if (queued.incrementAndGet() > capacity) {
                queued.decrementAndGet();
                dropped.add();
                return false;
            }
            queue.offer(line);
            if (asleep) {
                asleep = false;
                LockSupport.unpark(thread);
            }
            return true;
        } finally {
            offering.decrementAndGet();
        }
    }

    /** A new bound for the lines waiting; lines already queued beyond it are still written. */
    void capacity(int lines) {
        capacity = lines;
    }

    /** A new interval between the writer's rounds, from its next round on. */
    void roundMillis(int millis) {
        roundNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Every line dropped so far because the queue was full. */
    long droppedLines() {
        return dropped.total();
    }

    /**
     * Takes no more lines, and waits up to {@code wait} for the writer to write the queued ones, flush, close the
     * sink and end. Returns whether it ended in time (if not, it ends on its own once the file lets it).
     */
    boolean close(Duration wait) {
        return close(wait, null);
    }

    /** {@link #close(Duration)}, passing the lines offered from now on to {@code next} (null: dropping them). */
    boolean close(Duration wait, LogWriter next) {
        long deadline = System.nanoTime() + wait.toNanos();
        successor = next;
        closed = true;
        while (offering.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait(); // an offer takes microseconds; this is not a wait for the writer
        }
        finishing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Access log {}: the writer did not finish within {} ms; {} line(s) were still queued", name,
                    wait.toMillis(), queued.get());
            return false;
        }
        return true;
    }

    private void run() {
        try {
            for (;;) {
                int written = writeRound();
                report(false);
                if (finishing && queue.isEmpty()) {
                    return;
                }
                if (written > 0) {
                    LockSupport.parkNanos(this, roundNanos);
                } else {
                    sleepUntilOffered();
                }
                if (Thread.interrupted()) {
                    LOG.warn("Access log {}: the writer was interrupted; {} queued line(s) are not written", name,
                            queued.get());
                    return;
                }
            }
        } finally {
            report(true);
            try {
                sink.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("Access log {}: could not close {}: {}", name, sink, e.toString());
            }
        }
    }

    /**
     * Writes the lines queued when the round began (not those that come meanwhile, so that a round ends, flushes and
     * reports even while the lines never stop), and flushes if there were any; returns how many.
     */
    private int writeRound() {
        int inRound = queued.get();
        int written = 0;
        for (String line; written < inRound && (line = queue.poll()) != null; written++) {
            queued.decrementAndGet();
            write(line);
        }
        if (written > 0) {
            flush();
        }
        return written;
    }

    /**
     * Sleeps until an offer (or the close) wakes the writer, or a report falls due. The flag goes up before the last
     * look at the queue, so an offer either finds it up (and wakes the writer) or its line is seen here.
     */
    private void sleepUntilOffered() {
        asleep = true;
        if (!queue.isEmpty() || finishing) {
            asleep = false;
            return;
        }
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        if (dropped.anyUnreported()) {
            wait = Math.min(wait, dropped.nanosUntilDue(now));
        }
        if (failedWrites.anyUnreported()) {
            wait = Math.min(wait, failedWrites.nanosUntilDue(now));
        }
        if (wait == Long.MAX_VALUE) {
            LockSupport.park(this);
        } else {
            LockSupport.parkNanos(this, wait);
        }
        asleep = false;
    }

    private void write(String line) {
        try {
            sink.write(line);
        } catch (IOException e) {
            failed(e);
        } catch (RuntimeException e) {
            failed(new IOException(e));
        }
    }

    private void flush() {
        try {
            sink.flush();
        } catch (IOException e) {
            failed(e);
        }
    }

    private void failed(IOException e) {
        lastFailure = e;
        failedWrites.add();
    }

    /** Reports drops and write failures when due; {@code closing}: whatever is left, as the log's last word. */
    private void report(boolean closing) {
        long now = System.nanoTime();
        long drops = closing ? dropped.takeAll() : dropped.takeIfDue(now);
        if (drops > 0) {
            LOG.warn("Access log {}: dropped {} line(s) since the last warning: {} lines were waiting for {} (raise"
                    + " queueLines, or give the log a faster disk)", name, drops, capacity, sink);
        }
        long failures = closing ? failedWrites.takeAll() : failedWrites.takeIfDue(now);
        if (failures > 0) {
            LOG.error("Access log {}: {} write(s) to {} failed since the last report, the last with {}", name,
                    failures, sink, String.valueOf(lastFailure));
        }
    }

    @Override
    public String toString() {
        return name + " -> " + sink;
    }
}
