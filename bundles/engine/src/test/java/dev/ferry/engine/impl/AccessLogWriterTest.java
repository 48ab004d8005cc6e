package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

public class AccessLogWriterTest {

    @Test(timeout = 30_000)
    public void linesOfEachThreadAreWrittenInOrderAndNoneIsLostWhenTheWriterStopsMidway() throws Exception {
        List<String> written = new ArrayList<>(); // only the writer's thread adds, until it has ended
        AccessLogWriter writer = new AccessLogWriter(written::add);
        writer.activate(config(65_536, 10));
        int threads = 4;
        int perThread = 50_000;
        ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
        AtomicInteger offered = new AtomicInteger();
        CountDownLatch halfway = new CountDownLatch(threads);
        List<Thread> offering = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    String line = thread + " " + i;
                    if (writer.offer(line)) {
                        offered.incrementAndGet();
                    } else {
                        refused.add(line); // the caller writes it itself (AccessLog.log)
                    }
                    if (i == perThread / 2) {
                        halfway.countDown();
                    }
                }
            });
            th.start();
            offering.add(th);
        }
        assertTrue(halfway.await(20, TimeUnit.SECONDS));
        writer.deactivate();
        for (Thread th : offering) {
            th.join();
        }
        assertEquals("every line taken was written", offered.get(), written.size());
        assertEquals(threads * perThread, written.size() + refused.size());
        assertFalse("some lines came after the stop", refused.isEmpty());
        int[] next = new int[threads];
        for (String line : written) {
            String[] parts = line.split(" ");
            int thread = Integer.parseInt(parts[0]);
            assertEquals("the order of thread " + thread, next[thread]++, Integer.parseInt(parts[1]));
        }
    }

    @Test(timeout = 30_000)
    public void anIdleWriterIsWokenByTheNextLine() throws Exception {
        CountDownLatch got = new CountDownLatch(1);
        AccessLogWriter writer = new AccessLogWriter(line -> got.countDown());
        writer.activate(config(65_536, 10));
        try {
            Thread.sleep(200); // long past a round: the writer waits without a deadline now
            long start = System.nanoTime();
            assertTrue(writer.offer("one"));
            assertTrue(got.await(5, TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue("written after " + millis + " ms", millis < 1000);
        } finally {
            writer.deactivate();
        }
    }

    @Test(timeout = 30_000)
    public void aLineTheLoggerFailsOnDoesNotStopTheWriter() throws Exception {
        ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
        CountDownLatch last = new CountDownLatch(1);
        AccessLogWriter writer = new AccessLogWriter(line -> {
            if (line.equals("bad")) {
                throw new IllegalStateException("the appender failed");
            }
            written.add(line);
            if (line.equals("b")) {
                last.countDown();
            }
        });
        writer.activate(config(65_536, 10));
        try {
            assertTrue(writer.offer("a"));
            assertTrue(writer.offer("bad"));
            assertTrue(writer.offer("b"));
            assertTrue(last.await(5, TimeUnit.SECONDS));
            assertEquals(List.of("a", "b"), new ArrayList<>(written));
        } finally {
            writer.deactivate();
        }
    }

    @Test(timeout = 30_000)
    public void withQueueLinesWaitingTheNextOfferWaitsForRoomAndNoLineIsLost() throws Exception {
        List<String> written = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch sinkMayGoOn = new CountDownLatch(1);
        CountDownLatch sinkHasFirst = new CountDownLatch(1);
        AccessLogWriter writer = new AccessLogWriter(line -> {
            sinkHasFirst.countDown();
            try {
                sinkMayGoOn.await(); // the disk stalls
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(line);
        });
        writer.activate(config(2, 10));
        try {
            assertTrue(writer.offer("a"));
            assertTrue(sinkHasFirst.await(5, TimeUnit.SECONDS)); // "a" taken: the writer is stuck in the sink
            assertTrue(writer.offer("b"));
            assertTrue(writer.offer("c"));
            java.util.concurrent.CompletableFuture<Boolean> fourth = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> writer.offer("d"));
            Thread.sleep(300);
            assertFalse("the offer beyond queueLines waits", fourth.isDone());
            sinkMayGoOn.countDown();
            assertTrue(fourth.get(5, TimeUnit.SECONDS));
        } finally {
            writer.deactivate();
        }
        assertEquals(List.of("a", "b", "c", "d"), written);
    }

    static AccessLogWriter.Config config(int queueLines, int roundMillis) {
        return new AccessLogWriter.Config() {
            @Override
            public int queueLines() {
                return queueLines;
            }

            @Override
            public int roundMillis() {
                return roundMillis;
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return AccessLogWriter.Config.class;
            }
        };
    }
}
