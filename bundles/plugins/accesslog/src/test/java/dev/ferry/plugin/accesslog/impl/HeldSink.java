package dev.ferry.plugin.accesslog.impl;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A sink whose first write waits until the test lets it go: the writer thread held back, as by a slow disk. Writes
 * go on to {@code next} (a real file), or are kept in {@link #lines}.
 */
final class HeldSink implements LineSink {

    final List<String> lines = new CopyOnWriteArrayList<>();
    final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final LineSink next;
    volatile boolean closed;
    private boolean held;

    HeldSink(LineSink next) {
        this.next = next;
    }

    /** Lets the writer go on. */
    void release() {
        release.countDown();
    }

    /** Waits until the writer is held in its first write. */
    void awaitHolding() throws InterruptedException {
        if (!holding.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the writer never wrote");
        }
    }

    @Override
    public void write(String line) throws IOException {
        if (!held) {
            held = true;
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
        lines.add(line);
        if (next != null) {
            next.write(line);
        }
    }

    @Override
    public void flush() throws IOException {
        if (next != null) {
            next.flush();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (next != null) {
            next.close();
        }
    }
}
