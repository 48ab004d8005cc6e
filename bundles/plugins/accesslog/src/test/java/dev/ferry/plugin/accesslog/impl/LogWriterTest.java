package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The queue and the writer thread: order, drops when full (never a wait), and a clean end. */
public class LogWriterTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final List<LogWriter> started = new ArrayList<>();
    private final List<HeldSink> held = new ArrayList<>();

    @After
    public void closeAll() {
        held.forEach(HeldSink::release);
        started.forEach(w -> w.close(Duration.ofSeconds(5)));
    }

    private LogWriter start(String name, int capacity, LineSink sink) {
        return start(name, capacity, 10, sink);
    }

    private LogWriter start(String name, int capacity, int roundMillis, LineSink sink) {
        LogWriter writer = LogWriter.start(name, capacity, roundMillis, sink);
        started.add(writer);
        return writer;
    }

    private HeldSink held(LineSink next) {
        HeldSink sink = new HeldSink(next);
        held.add(sink);
        return sink;
    }

    private static List<String> numbered(int count) {
        List<String> lines = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            lines.add("line " + n);
        }
        return lines;
    }

    static boolean threadAlive(String logName) {
        String name = LogWriter.threadName(logName);
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    public void linesReachTheFileInOrder() throws IOException {
        Path file = folder.getRoot().toPath().resolve("access.log");
        LogWriter writer = start("order", 100_000, RotatingFileWriter.open(file, 1 << 30, 1));
        List<String> lines = numbered(20_000);
        for (String line : lines) {
            assertTrue(writer.offer(line));
        }

        assertTrue(writer.close(Duration.ofSeconds(5)));
        assertEquals(lines, Files.readAllLines(file, StandardCharsets.UTF_8));
        assertEquals(0, writer.droppedLines());
    }

    @Test
    public void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        HeldSink sink = held(null);
        LogWriter writer = start("full", 2, sink);
        assertTrue(writer.offer("1"));
        sink.awaitHolding(); // the writer took "1" and hangs in its write: the queue is empty again

        long before = System.nanoTime();
        assertTrue(writer.offer("2"));
        assertTrue(writer.offer("3"));
        for (int n = 4; n <= 1000; n++) {
            assertFalse("line " + n + " queued beyond the capacity", writer.offer(Integer.toString(n)));
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

        assertTrue("offers waited for the writer: " + tookMillis + " ms", tookMillis < 2000);
        assertEquals(997, writer.droppedLines());
        sink.release();
        assertTrue(writer.close(Duration.ofSeconds(5)));
        assertEquals(List.of("1", "2", "3"), sink.lines);
    }

    @Test
    public void closingWritesEverythingQueuedFlushesAndEndsTheThread() throws Exception {
        Path file = folder.getRoot().toPath().resolve("access.log");
        HeldSink sink = held(RotatingFileWriter.open(file, 1 << 30, 1));
        LogWriter writer = start("closing", 10_000, sink);
        List<String> lines = numbered(5000);
        for (String line : lines) {
            assertTrue(writer.offer(line));
        }
        sink.awaitHolding();
        assertTrue(threadAlive("closing"));

        Thread releaser = new Thread(() -> {
            sleep(200);
            sink.release();
        });
        releaser.start();
        assertTrue("the writer ended in time", writer.close(Duration.ofSeconds(5)));
        releaser.join();

        assertFalse("the writer thread is gone", threadAlive("closing"));
        assertTrue(sink.closed);
        assertEquals("every queued line is in the file", lines, Files.readAllLines(file, StandardCharsets.UTF_8));
        assertFalse("no lines after the close", writer.offer("late"));
        assertEquals("a line after the close is no drop", 0, writer.droppedLines());
    }

    @Test
    public void closingWaitsABoundedTime() throws Exception {
        HeldSink sink = held(null);
        LogWriter writer = start("stuck", 10, sink);
        writer.offer("1");
        writer.offer("2");
        sink.awaitHolding();

        long before = System.nanoTime();
        assertFalse("a writer stuck in its file cannot end", writer.close(Duration.ofMillis(300)));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        assertTrue(tookMillis + " ms", tookMillis >= 250 && tookMillis < 3000);

        sink.release(); // the file answers again: the writer finishes on its own
        assertTrue(writer.close(Duration.ofSeconds(5)));
        assertEquals(List.of("1", "2"), sink.lines);
        assertFalse(threadAlive("stuck"));
    }

    @Test
    public void anIdleWriterIsWokenByTheNextLineNotByItsRound() throws Exception {
        LinesSeen sink = new LinesSeen();
        LogWriter writer = start("idle", 100, 400, sink);
        for (int n = 0; n < 3; n++) {
            sleep(1000); // more than a round after the last line: a round found none, the writer sleeps
            long offered = System.nanoTime();
            assertTrue(writer.offer("line " + n));
            sink.await(n + 1);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offered);
            assertTrue("written " + tookMillis + " ms after the offer; a round is 400", tookMillis < 200);
        }
        assertTrue(writer.close(Duration.ofSeconds(5)));
        assertEquals(List.of("line 0", "line 1", "line 2"), sink.lines);
    }

    @Test
    public void aBusyWritersLinesWaitForItsRoundAndANewRoundAppliesLive() throws Exception {
        LinesSeen sink = new LinesSeen();
        LogWriter writer = start("busy", 100, 600, sink);
        writer.offer("first");
        sink.await(1); // a round that wrote a line: the next is 600 ms away
        long offered = System.nanoTime();
        writer.offer("second");
        sink.await(2);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offered);
        assertTrue("written " + tookMillis + " ms after the offer, in the next round", tookMillis >= 300);

        writer.roundMillis(1);
        sleep(1500); // the round under way ends; the rounds after it find nothing, and the writer sleeps
        writer.offer("third");
        sink.await(3);
        writer.offer("fourth");
        offered = System.nanoTime();
        sink.await(4);
        tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offered);
        assertTrue("written " + tookMillis + " ms after the offer, rounds now 1 ms apart", tookMillis < 300);
        assertTrue(writer.close(Duration.ofSeconds(5)));
    }

    /** Keeps the lines written, for a test to wait on. */
    private static final class LinesSeen implements LineSink {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void write(String line) {
            lines.add(line);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        void await(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lines.size() < count) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("only " + lines.size() + " of " + count + " lines written");
                }
                Thread.sleep(1);
            }
        }
    }

    @Test
    public void aNewCapacityAppliesToTheNextOffer() throws Exception {
        HeldSink sink = held(null);
        LogWriter writer = start("capacity", 1, sink);
        writer.offer("1");
        sink.awaitHolding();
        assertTrue(writer.offer("2"));
        assertFalse(writer.offer("3"));

        writer.capacity(3);
        assertTrue(writer.offer("4"));
        assertTrue(writer.offer("5"));
        assertFalse(writer.offer("6"));
        sink.release();
        assertTrue(writer.close(Duration.ofSeconds(5)));
        assertEquals(List.of("1", "2", "4", "5"), sink.lines);
        assertEquals(2, writer.droppedLines());
    }

    @Test
    public void aLineOfferedAfterASwitchGoesToTheNextWriter() throws Exception {
        HeldSink oldSink = held(null);
        HeldSink newSink = held(null);
        LogWriter old = start("switch-old", 10, oldSink);
        LogWriter next = start("switch-new", 10, newSink);
        oldSink.release();
        newSink.release();
        old.offer("1");

        assertTrue(old.close(Duration.ofSeconds(5), next));
        assertTrue("an exchange that read the old writer before the switch", old.offer("2"));
        assertTrue(next.offer("3"));
        assertTrue(next.close(Duration.ofSeconds(5)));

        assertEquals(List.of("1"), oldSink.lines);
        assertEquals(List.of("2", "3"), newSink.lines);
        assertFalse("after the last writer closed", old.offer("4"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
