package dev.ferry.spdy.client.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Bytes the application sends on one stream. Each write is copied into chunks of at most one DATA frame and handed to
 * the event loop, which sends them as the proxy's windows allow and reports them back with {@link #sent(int)}. A
 * write blocks while {@code limit} bytes are handed over but unsent: that is where a shut window stops the writer.
 * <p>
 * Not for use by several threads at once.
 */
final class OutboundBody extends OutputStream {

    /** Where chunks and the FIN go: the session, which runs them on the event loop. */
    interface Sink {
        void data(byte[] chunk) throws IOException;

        void fin() throws IOException;
    }

    private final IntSupplier streamId;
    private final int chunkSize;
    private final long limit;
    private final long timeoutNanos;
    private final Sink sink;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private long unsent;
    private IOException failure;
    private boolean closed;

    OutboundBody(IntSupplier streamId, int chunkSize, long limit, long timeoutNanos, Sink sink) {
        this.streamId = streamId;
        this.chunkSize = chunkSize;
        this.limit = limit;
        this.timeoutNanos = timeoutNanos;
        this.sink = sink;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            int n = Math.min(len, chunkSize);
            awaitRoom();
            byte[] chunk = Arrays.copyOfRange(b, off, off + n);
            lock.lock();
            try {
                unsent += n;
            } finally {
                lock.unlock();
            }
            sink.data(chunk);
            off += n;
            len -= n;
        }
    }

    private void awaitRoom() throws IOException {
        lock.lock();
        try {
            long nanos = timeoutNanos;
            while (true) {
                if (closed) {
                    throw new IOException("output of stream " + streamId.getAsInt() + " is closed");
                }
                if (failure != null) {
                    throw Failures.rethrowable(failure);
                }
                if (unsent < limit) {
                    return;
                }
                if (nanos <= 0) {
                    throw new SocketTimeoutException("the proxy's windows for stream " + streamId.getAsInt()
                            + " stayed shut for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                try {
                    nanos = drained.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    throw Failures.interrupted("writing stream " + streamId.getAsInt());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends FIN after the data written so far. A second close does nothing. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed || failure != null) {
                closed = true;
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        sink.fin();
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    // ---- event loop side

    /** {@code bytes} went out in DATA frames. */
    void sent(int bytes) {
        lock.lock();
        try {
            unsent -= bytes;
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The stream failed: blocked and later writes throw {@code cause}. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
