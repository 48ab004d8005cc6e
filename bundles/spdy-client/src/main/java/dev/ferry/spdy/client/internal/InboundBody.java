package dev.ferry.spdy.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * The bytes the proxy sent on one stream, handed from the event loop to the reading thread. The event loop copies
 * each DATA frame's payload into a {@code byte[]} and releases the frame at once, so no Netty buffer leaves the event
 * loop. Each read reports the bytes it took through {@code onRead} (batched, and always before the reader would
 * block), which becomes window credit on the event loop.
 */
final class InboundBody extends InputStream {

    /** Report read bytes at least this often, so credit flows while a big buffer is read in small pieces. */
    private static final int CREDIT_BATCH = 4096;

    private final IntSupplier streamId;
    private final long timeoutNanos;
    private final IntConsumer onRead;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Read position in {@code chunks.peek()}. */
    private int position;
    private long buffered;
    private int uncredited;
    private boolean finished;
    private IOException failure;
    private boolean closed;

    InboundBody(IntSupplier streamId, long timeoutNanos, IntConsumer onRead) {
        this.streamId = streamId;
        this.timeoutNanos = timeoutNanos;
        this.onRead = onRead;
    }

    // ---- event loop side

    /** Adds DATA; false when the reader has closed (the caller gives the bytes' credit back itself). */
    boolean offer(byte[] data) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            chunks.add(data);
            buffered += data.length;
            arrived.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The proxy's FIN: reads return -1 after the buffered data. */
    void finish() {
        lock.lock();
        try {
            finished = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The stream failed: reads throw {@code cause} after the buffered data. Ignored after the FIN. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (!finished && failure == null) {
                failure = cause;
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- reader side

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int credit = 0;
        int copied = 0;
        lock.lock();
        try {
            if (!awaitData()) {
                return -1;
            }
            while (copied < len && !chunks.isEmpty()) {
                byte[] head = chunks.peek();
                int n = Math.min(len - copied, head.length - position);
                System.arraycopy(head, position, b, off + copied, n);
                copied += n;
                position += n;
                if (position == head.length) {
                    chunks.poll();
                    position = 0;
                }
            }
            buffered -= copied;
            uncredited += copied;
            if (uncredited >= CREDIT_BATCH || chunks.isEmpty()) {
                credit = uncredited;
                uncredited = 0;
            }
        } finally {
            lock.unlock();
        }
        if (credit > 0) {
            onRead.accept(credit);
        }
        return copied;
    }

    /** Waits for data; false at the end of the stream. Holds the lock. */
    private boolean awaitData() throws IOException {
        long nanos = timeoutNanos;
        while (chunks.isEmpty()) {
            if (closed) {
                throw new IOException("body of stream " + streamId.getAsInt() + " is closed");
            }
            if (failure != null) {
                throw Failures.rethrowable(failure);
            }
            if (finished) {
                return false;
            }
            if (nanos <= 0) {
                throw new SocketTimeoutException("no data on stream " + streamId.getAsInt() + " for "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            try {
                nanos = arrived.awaitNanos(nanos);
            } catch (InterruptedException e) {
                throw Failures.interrupted("reading stream " + streamId.getAsInt());
            }
        }
        return true;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, buffered);
        } finally {
            lock.unlock();
        }
    }

    /** True once every byte up to the proxy's FIN has been read. */
    boolean atEnd() {
        lock.lock();
        try {
            return finished && chunks.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Drops unread data (its credit is given back) and makes later reads fail. */
    @Override
    public void close() {
        int credit;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            credit = uncredited + (int) buffered;
            uncredited = 0;
            buffered = 0;
            chunks.clear();
            position = 0;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (credit > 0) {
            onRead.accept(credit);
        }
    }
}
