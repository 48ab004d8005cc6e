package dev.ferry.fetch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A body larger than anything the tool may hold: while stdout does not take bytes, the origin must stall (TCP
 * buffers full, nothing more read); once stdout drains, every byte arrives in order.
 */
public class BackpressureTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final int BODY_BYTES = 64 << 20;
    /** Socket buffers on both ends plus one read in flight stay far below this. */
    private static final long STALL_LIMIT = 24 << 20;

    @Test
    public void aBlockedStdoutStallsTheOriginAndTheWholeBodyArrivesLater() throws Exception {
        AtomicLong sent = new AtomicLong();
        try (Origin origin = new Origin()) {
            origin.handle(exchange -> {
                exchange.sendResponseHeaders(200, BODY_BYTES);
                byte[] block = new byte[8192];
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < BODY_BYTES / block.length; i++) {
                        fill(block, (long) i * block.length);
                        out.write(block);
                        sent.addAndGet(block.length);
                    }
                }
            });
            CountDownLatch firstWrite = new CountDownLatch(1);
            CountDownLatch unblock = new CountDownLatch(1);
            CheckingOutput stdout = new CheckingOutput(firstWrite, unblock);
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                Future<FetchRun> run = runner.submit(() -> FetchRun.into(stdout, origin.url("/big")));
                assertTrue("no body byte reached stdout", firstWrite.await(10, TimeUnit.SECONDS));

                long stalledAt = awaitStall(sent);
                assertTrue("the origin sent " + stalledAt + " bytes while stdout was blocked",
                        stalledAt < STALL_LIMIT);

                unblock.countDown();
                FetchRun result = run.get(60, TimeUnit.SECONDS);
                assertEquals(result.toString(), 0, result.exitStatus);
                assertEquals(BODY_BYTES, stdout.count);
                assertEquals("bytes out of order at " + stdout.firstMismatch, -1, stdout.firstMismatch);
            } finally {
                unblock.countDown();
                runner.shutdownNow();
            }
        }
    }

    /** Waits (at most 10 s) until the origin's byte count has not moved for half a second; returns it. */
    private static long awaitStall(AtomicLong sent) throws InterruptedException {
        long last = -1;
        int quietPolls = 0;
        for (int i = 0; i < 200 && quietPolls < 10; i++) {
            Thread.sleep(50);
            long now = sent.get();
            quietPolls = now == last ? quietPolls + 1 : 0;
            last = now;
        }
        assertTrue("the origin never stalled (sent " + last + " bytes)", quietPolls >= 10);
        return last;
    }

    /** Byte {@code n} of the body is {@code n % 251}, so that order and completeness can be checked. */
    private static void fill(byte[] block, long offset) {
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) ((offset + i) % 251);
        }
    }

    /** Blocks in the first write until released; then counts and checks every byte. */
    private static final class CheckingOutput extends OutputStream {
        private final CountDownLatch firstWrite;
        private final CountDownLatch unblock;
        volatile long count;
        volatile long firstMismatch = -1;

        CheckingOutput(CountDownLatch firstWrite, CountDownLatch unblock) {
            this.firstWrite = firstWrite;
            this.unblock = unblock;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            firstWrite.countDown();
            try {
                if (!unblock.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("never unblocked");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            for (int i = 0; i < len; i++) {
                if (firstMismatch < 0 && b[off + i] != (byte) ((count + i) % 251)) {
                    firstMismatch = count + i;
                }
            }
            count += len;
        }
    }
}
