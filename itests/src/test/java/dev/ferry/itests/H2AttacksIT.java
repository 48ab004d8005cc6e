package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.itests.H2Wire.Frame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The known HTTP/2 attacks against the proxy's h2 listener, each from a raw client ({@link H2Wire}) that sends what
 * no well-behaved client would. Each test checks the proxy's answer as RFC 9113 (and Netty's flood guards, configured
 * through {@code dev.ferry.h2.cfg}) has it, that the attack costs the proxy bounded resources (figures printed: its
 * CPU time from {@code /proc/<pid>/stat}, its RSS, what reached the origin), and that a well-behaved h2 client on a
 * connection of its own keeps being served while it goes on: its GET latency p50/p99 before and during the attack
 * are printed, and the p99 during may be at most 10x the one before, or 500 ms. Ferry runs with a 64 MiB heap.
 * Every attack loop is bounded in rounds and in time.
 *
 * <p>What the proxy answered here (Netty 4.1.137's {@code Http2FrameCodec} under the h2 bundle): rapid reset GOAWAY
 * ENHANCE_YOUR_CALM at the 51st RST_STREAM with {@code maxResetsPerWindow=50}; a CONTINUATION flood GOAWAY
 * PROTOCOL_ERROR at the sixth 16 KiB frame (Netty buffers at most 1.25 x {@code maxHeaderListBytes}, 81,920 bytes),
 * 1-byte CONTINUATIONs GOAWAY ENHANCE_YOUR_CALM at the 16th; SETTINGS and PING floods from a client that reads
 * nothing end with ENHANCE_YOUR_CALM once 10,000 acknowledgements are queued, after the kernel's socket buffers took
 * about 3 MB of them (about 400,000 PINGs or 800,000 SETTINGS sent); empty DATA GOAWAY ENHANCE_YOUR_CALM at the
 * third; an HPACK bomb {@code :status 431} on its stream (the connection lives on, until 200 RST_STREAMs sent in
 * 30 s, {@code maxResetsSentPerWindow}, end it with ENHANCE_YOUR_CALM); DATA on stream 0 and HEADERS on an even
 * stream GOAWAY PROTOCOL_ERROR. Every GOAWAY for a connection error names last-stream-id 2^31-1 (Netty, netty/netty#10670).
 *
 * <p>The victim's p99 during an attack was 5-20 ms in quiet runs on this two-core machine (its p99 before: 0.3-20
 * ms); with other builds running beside it the p99 wandered up to 311 ms during and 284 ms before an attack alike,
 * which is why the floor of the bound is 500 ms rather than 200: it still catches an event loop the attack holds
 * (a victim sharing it would wait seconds), not the machine's scheduling noise.
 */
public class H2AttacksIT {

    /** Lowered from the shipped 200, to show that the setting applies. */
    private static final int MAX_RESETS = 50;
    private static final int MAX_HEADER_LIST_BYTES = 65536;
    private static final int MAX_QUEUED_CONTROL_FRAMES = 10000;
    private static final int MAX_EMPTY_DATA_FRAMES = 2;
    private static final int MAX_SMALL_CONTINUATIONS = 16;
    private static final int BASELINE_GETS = 100;

    private static final Resources resources = new Resources();
    private static TestOrigin victimOrigin;
    private static TestOrigin attackOrigin;
    private static FerryProcess ferry;
    private static long clockTicks;

    /** A write blocked on a proxy that stopped reading must not hang the build: the class closes it all after. */
    @Rule
    public final Timeout perTest = Timeout.seconds(90);

    @BeforeClass
    public static void start() throws Exception {
        victimOrigin = resources.add(new TestOrigin(null));
        attackOrigin = resources.add(new TestOrigin(null));
        // Leak detection stays paranoid (every buffer tracked, a leak reported with where it was allocated), but
        // without a stack trace recorded at every access of every buffer: that alone made each flood frame cost
        // the proxy 30-40 us of CPU instead of about 7, so that a flood took half a minute to reach its limit.
        ferry = resources.add(FerryProcess.start("-Xmx64m -Dio.netty.leakDetection.targetRecords=0",
                Map.of("dev.ferry.h2.cfg", Map.of("maxResetsPerWindow", Integer.toString(MAX_RESETS)))));
        clockTicks = clockTicksPerSecond();
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ferry != null) {
                List<String> warnings = new ArrayList<>();
                ferry.log().lines().filter(l -> (l.contains(" WARN ") || l.contains(" ERROR "))
                        && !l.contains("generated credentials")).forEach(warnings::add);
                System.out.printf("H2AttacksIT: the proxy logged %d WARN/ERROR lines%s%n", warnings.size(),
                        warnings.isEmpty() ? "" : ", the first: \n  " + String.join("\n  ",
                                warnings.subList(0, Math.min(10, warnings.size()))));
                assertTrue("the proxy died:\n" + tail(ferry.stdout()), ferry.isAlive());
                assertFalse("the proxy ran out of memory:\n" + tail(ferry.stdout()),
                        ferry.stdout().contains("OutOfMemoryError"));
            }
        } finally {
            // GC in the proxy, one request through it, then any LEAK: line fails (FerryProcess.checkForLeaks).
            resources.checkLeaksAndClose(victimOrigin);
        }
    }

    // ---- 1. rapid reset (CVE-2023-44487) ----

    /**
     * HEADERS for a GET and at once RST_STREAM CANCEL, over and over, reconnecting after each GOAWAY as an attacker
     * would. The first connection goes one stream at a time near the limit, waiting for the proxy's answer, to
     * count exactly how many resets it took; the others go at full speed (ten streams a write).
     */
    @Test
    public void rapidResetGetsGoAwayEnhanceYourCalmAfterMaxResetsPerWindow() throws Exception {
        underAttack("rapid reset", () -> {
            Http2Headers get = H2Wire.request("GET", attackOrigin.url("/bytes?n=10"));
            int originRequestsBefore = attackOrigin.requests.get();
            Frame firstAnswer = null;
            int resetsAtAnswer = -1;
            List<Integer> writtenBeforeAnswer = new ArrayList<>();
            long streamsSent = 0;
            int connections = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            for (int c = 0; c < 40 && (c < 5 || System.nanoTime() < deadline); c++) {
                boolean counting = c == 0;
                try (H2Wire attacker = H2Wire.open(ferry.httpsPort)) {
                    connections++;
                    attacker.startReading();
                    int id = 1;
                    int resets = 0;
                    while (attacker.goAway == null && attacker.ended == null && resets < 2000) {
                        int perWrite = counting ? 1 : 10;
                        byte[][] batch = new byte[2 * perWrite][];
                        for (int i = 0; i < perWrite; i++, id += 2) {
                            batch[2 * i] = attacker.headers(id, get, true);
                            batch[2 * i + 1] = H2Wire.rstStream(id, Http2Error.CANCEL);
                        }
                        try {
                            attacker.write(batch);
                        } catch (IOException closedByProxy) {
                            break;
                        }
                        resets += perWrite;
                        streamsSent += perWrite;
                        if (counting && resets >= MAX_RESETS - 2 && resets <= MAX_RESETS + 5
                                && attacker.reacted(100)) {
                            break;
                        }
                    }
                    Frame answer = goAwayAfter(attacker, resets + " reset streams on connection " + c,
                            Http2Error.ENHANCE_YOUR_CALM);
                    if (counting) {
                        firstAnswer = answer;
                        resetsAtAnswer = resets;
                    } else {
                        writtenBeforeAnswer.add(resets);
                    }
                }
            }
            int originRequests = attackOrigin.requests.get() - originRequestsBefore;
            System.out.printf("H2AttacksIT rapid reset: %d connections, %d streams opened and reset at once; stream "
                    + "by stream the proxy answered %s after %d resets (maxResetsPerWindow=%d); at full speed %s "
                    + "streams were written before the GOAWAY was read; %d requests reached the origin%n",
                    connections, streamsSent, firstAnswer, resetsAtAnswer, MAX_RESETS,
                    summarize(writtenBeforeAnswer), originRequests);
            assertTrue("resets the proxy took before GOAWAY: " + resetsAtAnswer + " with maxResetsPerWindow="
                    + MAX_RESETS, resetsAtAnswer >= MAX_RESETS && resetsAtAnswer <= MAX_RESETS + 5);
            assertTrue("origin requests " + originRequests + " vs streams " + streamsSent,
                    originRequests <= streamsSent);
            // Per connection: its TLS handshake and the ~51 streams the proxy took (what followed them was dropped).
            return new Units(connections, "connection (TLS handshake included)");
        });
    }

    // ---- 2. CONTINUATION flood (CVE-2024-27316 class) ----

    @Test
    public void endlessContinuationEndsTheConnectionBeforeMuchMoreThanMaxHeaderListBytes() throws Exception {
        underAttack("CONTINUATION flood (16 KiB frames)", () -> {
            int originRequestsBefore = attackOrigin.requests.get();
            List<Long> bytesAtAnswer = new ArrayList<>();
            List<String> answers = new ArrayList<>();
            byte[] filler = new byte[16384];
            Arrays.fill(filler, (byte) 'a');
            byte[] continuation = H2Wire.frame(H2Wire.CONTINUATION, 0, 1, filler);
            long framesSent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int round = 0; round < 12 && (round < 3 || System.nanoTime() < deadline); round++) {
                try (H2Wire attacker = H2Wire.open(ferry.httpsPort)) {
                    attacker.startReading();
                    // A GET whose last field announces a 16 MiB value, sent on in CONTINUATION frames, never ending.
                    ByteArrayOutputStream block = new ByteArrayOutputStream();
                    H2Wire.hpackGetWithoutIndexing(block, attackOrigin.url("/echo"));
                    block.write(0x00);
                    H2Wire.hpackString(block, "x-flood");
                    H2Wire.hpackInt(block, 7, 0, 16L << 20);
                    byte[] first = Arrays.copyOf(block.toByteArray(), 16384);
                    Arrays.fill(first, block.size(), first.length, (byte) 'a');
                    attacker.write(H2Wire.frame(H2Wire.HEADERS, H2Wire.END_STREAM, 1, first));
                    long sent = first.length;
                    framesSent++;
                    for (int i = 0; i < 64; i++) {
                        if (sent >= MAX_HEADER_LIST_BYTES && attacker.reacted(50)) {
                            break;
                        }
                        try {
                            attacker.write(continuation);
                        } catch (IOException closedByProxy) {
                            break;
                        }
                        sent += filler.length;
                        framesSent++;
                    }
                    bytesAtAnswer.add(sent);
                    Frame answer = goAwayAfter(attacker, "a " + sent + "-byte header block",
                            Http2Error.PROTOCOL_ERROR, Http2Error.ENHANCE_YOUR_CALM, Http2Error.COMPRESSION_ERROR);
                    answers.add(String.valueOf(answer));
                    Frame end = attacker.await(f -> false, 5000);
                    assertNotNull("the connection stays open after " + answer, end);
                }
            }
            int originRequests = attackOrigin.requests.get() - originRequestsBefore;
            System.out.printf("H2AttacksIT CONTINUATION flood: %d connections, %d frames; header block bytes sent "
                    + "when the proxy's answer arrived %s (maxHeaderListBytes=%d); answers %s; %d requests reached "
                    + "the origin%n", bytesAtAnswer.size(), framesSent, summarize(bytesAtAnswer),
                    MAX_HEADER_LIST_BYTES, distinct(answers), originRequests);
            for (long bytes : bytesAtAnswer) {
                assertTrue("header block bytes the proxy took before answering: " + bytesAtAnswer,
                        bytes <= 2L * MAX_HEADER_LIST_BYTES);
            }
            assertEquals("an unfinished header block reached the origin", 0, originRequests);
            return new Units(bytesAtAnswer.size(), "connection (TLS handshake included)");
        });
    }

    @Test
    public void tinyContinuationFramesTripMaxSmallContinuationFrames() throws Exception {
        underAttack("CONTINUATION flood (1-byte frames)", () -> {
            List<Integer> framesAtAnswer = new ArrayList<>();
            List<String> answers = new ArrayList<>();
            byte[] tiny = H2Wire.frame(H2Wire.CONTINUATION, 0, 1, new byte[] {'a'});
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int round = 0; round < 30 && (round < 3 || System.nanoTime() < deadline); round++) {
                try (H2Wire attacker = H2Wire.open(ferry.httpsPort)) {
                    attacker.startReading();
                    ByteArrayOutputStream block = new ByteArrayOutputStream();
                    H2Wire.hpackGetWithoutIndexing(block, attackOrigin.url("/echo"));
                    block.write(0x00);
                    H2Wire.hpackString(block, "x-drip");
                    H2Wire.hpackInt(block, 7, 0, 100_000);
                    attacker.write(H2Wire.frame(H2Wire.HEADERS, H2Wire.END_STREAM, 1, block.toByteArray()));
                    int continuations = writeUntilAnswered(attacker, tiny, MAX_SMALL_CONTINUATIONS - 2, 2000);
                    framesAtAnswer.add(continuations);
                    Frame answer = goAwayAfter(attacker, continuations + " 1-byte CONTINUATION frames",
                            Http2Error.ENHANCE_YOUR_CALM);
                    answers.add(String.valueOf(answer));
                }
            }
            System.out.printf("H2AttacksIT tiny CONTINUATIONs: %d connections; CONTINUATION frames sent when the "
                    + "answer arrived %s (maxSmallContinuationFrames=%d); answers %s%n", framesAtAnswer.size(),
                    summarize(framesAtAnswer), MAX_SMALL_CONTINUATIONS, distinct(answers));
            for (int frames : framesAtAnswer) {
                // The HEADERS fragment counts as the first small one: the 16th CONTINUATION is one too many.
                assertTrue("tiny CONTINUATION frames the proxy took: " + framesAtAnswer,
                        frames >= MAX_SMALL_CONTINUATIONS - 1 && frames <= MAX_SMALL_CONTINUATIONS + 4);
            }
            return new Units(framesAtAnswer.size(), "connection (TLS handshake included)");
        });
    }

    // ---- 3. SETTINGS and PING floods from a client that does not read ----

    @Test
    public void settingsFloodWithoutReadingEndsTheConnection() throws Exception {
        controlFloodWithoutReading("SETTINGS", H2Wire.frame(H2Wire.SETTINGS, 0, 0, new byte[0]));
    }

    @Test
    public void pingFloodWithoutReadingEndsTheConnection() throws Exception {
        controlFloodWithoutReading("PING", H2Wire.ping(0x0123456789abcdefL));
    }

    /**
     * Every SETTINGS or PING makes the proxy queue an acknowledgement; the attacker reads none of them (its receive
     * buffer is 4 KiB), so once the kernel buffers are full they pile up in the proxy. At
     * {@code maxQueuedControlFrames} Netty ends the connection with GOAWAY ENHANCE_YOUR_CALM (and logs it); the
     * attacker watches the proxy's log while it floods, then reads what there is.
     */
    private static void controlFloodWithoutReading(String kind, byte[] unit) throws Exception {
        underAttack(kind + " flood without reading", () -> {
            long logMark = Files.size(ferry.home.resolve("stdout.log"));
            byte[] batch = new byte[unit.length * 1000];
            for (int i = 0; i < 1000; i++) {
                System.arraycopy(unit, 0, batch, i * unit.length, unit.length);
            }
            long maxFrames = 3_000_000;
            long framesSent = 0;
            String stopped;
            long t0 = System.nanoTime();
            AtomicReference<String> limitLine = new AtomicReference<>();
            try (H2Wire attacker = H2Wire.open(ferry.httpsPort, 4096);
                    Watchdog watchdog = new Watchdog(attacker, 30_000)) {
                // The attacker's oracle: as soon as the proxy logs that it reached the limit, start reading (Netty
                // gives the GOAWAY and the acknowledgements queued before it 3 s to be flushed, then closes).
                Thread watcher = new Thread(() -> {
                    try {
                        while (limitLine.get() == null) {
                            String line = firstLine(since(logMark), "outstanding control frames");
                            if (line != null) {
                                limitLine.set(line);
                                attacker.startReading();
                                return;
                            }
                            Thread.sleep(20);
                        }
                    } catch (IOException | InterruptedException stop) {
                        // the flood is over
                    }
                }, "h2-log-watcher");
                watcher.setDaemon(true);
                watcher.start();
                try {
                    while (true) {
                        if (limitLine.get() != null) {
                            stopped = "the proxy logged the limit";
                            break;
                        }
                        if (framesSent >= maxFrames) {
                            stopped = "sent all " + maxFrames;
                            break;
                        }
                        if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(20)) {
                            stopped = "20 s passed";
                            break;
                        }
                        try {
                            attacker.write(batch);
                        } catch (IOException e) {
                            stopped = "the proxy closed the connection (" + e.getMessage() + ")";
                            break;
                        }
                        framesSent += 1000;
                    }
                } finally {
                    watcher.interrupt();
                    watcher.join(5000);
                }
                long floodMillis = (System.nanoTime() - t0) / 1_000_000;
                // Now read: the acknowledgements the proxy still sends, its GOAWAY, the end.
                attacker.startReading();
                Frame goAway = attacker.await(f -> f.type == H2Wire.GOAWAY, 10_000);
                Frame end = goAway != null && goAway.type == H2Wire.CLOSED ? goAway : attacker.await(f -> false,
                        10_000);
                // SETTINGS: one of the acknowledgements is for the preface's SETTINGS.
                long acks = "PING".equals(kind) ? attacker.pingAcks.get() : attacker.settingsAcks.get();
                for (long wait = 0; limitLine.get() == null && wait < 3000; wait += 100) {
                    limitLine.set(firstLine(since(logMark), "outstanding control frames"));
                    if (limitLine.get() == null) {
                        Thread.sleep(100);
                    }
                }
                String forcedClose = firstLine(since(logMark), "force-closing");
                System.out.printf("H2AttacksIT %s flood: %d frames (%d bytes) in %d ms, then stopped: %s; read "
                        + "afterwards: %d acks, %s, %s; proxy log: %s%s%n", kind, framesSent,
                        attacker.bytesWritten.get(), floodMillis, stopped, acks, goAway, end, limitLine.get(),
                        forcedClose == null ? "" : "; then " + forcedClose);
                assertTrue("the proxy took all " + framesSent + " " + kind + " frames: " + stopped,
                        framesSent < maxFrames);
                assertNotNull("the proxy did not log the limit (" + stopped + ")", limitLine.get());
                assertTrue(limitLine.get(), limitLine.get().contains(Integer.toString(MAX_QUEUED_CONTROL_FRAMES)));
                if (goAway != null && goAway.type == H2Wire.GOAWAY) {
                    assertEquals(goAway.toString(), Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode);
                }
                assertNotNull("the connection is still open after the limit", end);
                assertEquals(H2Wire.CLOSED, end.type);
                assertTrue("acks " + acks + " for " + framesSent + " frames", acks <= framesSent + 1);
                return new Units(framesSent, kind + " frame");
            }
        });
    }

    // ---- 4. empty DATA frames ----

    @Test
    public void emptyDataFramesGetGoAwayEnhanceYourCalm() throws Exception {
        underAttack("empty DATA flood", () -> {
            Http2Headers post = H2Wire.request("POST", attackOrigin.url("/sha256"));
            List<Integer> emptiesAtAnswer = new ArrayList<>();
            List<String> answers = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            for (int round = 0; round < 30 && (round < 3 || System.nanoTime() < deadline); round++) {
                try (H2Wire attacker = H2Wire.open(ferry.httpsPort)) {
                    attacker.startReading();
                    attacker.write(attacker.headers(1, post, false));
                    byte[] empty = H2Wire.data(1, new byte[0], false);
                    int empties = writeUntilAnswered(attacker, empty, MAX_EMPTY_DATA_FRAMES, 1000);
                    emptiesAtAnswer.add(empties);
                    Frame answer = goAwayAfter(attacker, empties + " empty DATA frames", Http2Error.ENHANCE_YOUR_CALM);
                    answers.add(String.valueOf(answer));
                }
            }
            System.out.printf("H2AttacksIT empty DATA: %d connections; empty DATA frames sent when the answer "
                    + "arrived %s (maxConsecutiveEmptyDataFrames=%d); answers %s%n", emptiesAtAnswer.size(),
                    summarize(emptiesAtAnswer), MAX_EMPTY_DATA_FRAMES, distinct(answers));
            for (int empties : emptiesAtAnswer) {
                assertTrue("empty DATA frames the proxy took: " + emptiesAtAnswer,
                        empties > MAX_EMPTY_DATA_FRAMES && empties <= MAX_EMPTY_DATA_FRAMES + 3);
            }
            return new Units(emptiesAtAnswer.size(), "connection (TLS handshake included)");
        });
    }

    // ---- 5. HPACK bomb ----

    /**
     * One 4,000-byte field inserted into the dynamic table, then referenced by its one-byte index 12,000 times: a
     * 16 KiB HEADERS frame that decodes to about 48 MB of header list, against a 64 MiB heap.
     */
    @Test
    public void hpackBombIsRefusedWithoutExhaustingTheHeap() throws Exception {
        underAttack("HPACK bomb", () -> {
            String value = "b".repeat(4000);
            int references = 12_000;
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            H2Wire.hpackGetWithoutIndexing(block, attackOrigin.url("/echo"));
            block.write(0x40); // literal with incremental indexing, new name: dynamic index 62
            H2Wire.hpackString(block, "x-bomb");
            H2Wire.hpackString(block, value);
            for (int i = 0; i < references; i++) {
                block.write(0x80 | 62);
            }
            byte[] bomb = block.toByteArray();
            long decodedBytes = (long) (references + 1) * ("x-bomb".length() + value.length() + 32);
            int originRequestsBefore = attackOrigin.requests.get();
            Map<String, Integer> reactions = new TreeMap<>();
            List<String> odd = new ArrayList<>();
            int rounds = 0;
            int connections = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            H2Wire attacker = null;
            int id = 1;
            try {
                while (rounds < 3000 && (rounds < 5 || System.nanoTime() < deadline)) {
                    if (attacker == null || attacker.ended != null || attacker.goAway != null) {
                        if (attacker != null) {
                            attacker.close();
                        }
                        attacker = H2Wire.open(ferry.httpsPort);
                        attacker.startReading();
                        connections++;
                        id = 1;
                    }
                    int stream = id;
                    id += 2;
                    try {
                        attacker.write(H2Wire.frame(H2Wire.HEADERS, H2Wire.END_HEADERS | H2Wire.END_STREAM, stream,
                                bomb));
                    } catch (IOException closedByProxy) {
                        // Its GOAWAY (read by now, or lost in the close) ended the connection: the next one.
                        attacker.close();
                        attacker = null;
                        continue;
                    }
                    rounds++;
                    Frame answer = attacker.await(f -> f.type == H2Wire.GOAWAY || f.streamId == stream
                            && (f.type == H2Wire.HEADERS || f.type == H2Wire.RST_STREAM), 5000);
                    String reaction = reaction(answer);
                    reactions.merge(reaction, 1, Integer::sum);
                    if (SENSIBLE_BOMB_REACTIONS.stream().noneMatch(reaction::startsWith) && odd.size() < 5) {
                        odd.add(answer + " after " + attacker.history());
                    }
                }
            } finally {
                if (attacker != null) {
                    attacker.close();
                }
            }
            int originRequests = attackOrigin.requests.get() - originRequestsBefore;
            System.out.printf("H2AttacksIT HPACK bomb: %d header blocks of %d bytes, each decoding to %d bytes "
                    + "(maxHeaderListBytes=%d), on %d connections; the proxy answered %s; %d requests reached the "
                    + "origin%n", rounds, bomb.length, decodedBytes, MAX_HEADER_LIST_BYTES, connections, reactions,
                    originRequests);
            // Netty answers each bomb with 431 and RST_STREAM PROTOCOL_ERROR (a stream error: the HPACK state stays
            // in step, the connection lives on); after 200 RST_STREAMs of its own within 30 s (its default limit on
            // resets sent, not a dev.ferry.h2 setting) it ends the connection with GOAWAY ENHANCE_YOUR_CALM.
            assertTrue("answers other than 431, RST_STREAM or GOAWAY with PROTOCOL_ERROR, COMPRESSION_ERROR or "
                    + "ENHANCE_YOUR_CALM: " + reactions + "\n" + odd, odd.isEmpty());
            assertEquals("a bomb reached the origin", 0, originRequests);
            assertTrue("the proxy died:\n" + tail(ferry.stdout()), ferry.isAlive());
            assertFalse("the proxy ran out of memory", ferry.stdout().contains("OutOfMemoryError"));
            return new Units(rounds, "header block");
        });
    }

    /** How a reaction to a bomb may start. */
    private static final Set<String> SENSIBLE_BOMB_REACTIONS = Set.of("HEADERS :status 431",
            "RST_STREAM " + H2Wire.errorName(Http2Error.PROTOCOL_ERROR.code()),
            "RST_STREAM " + H2Wire.errorName(Http2Error.REFUSED_STREAM.code()),
            "RST_STREAM " + H2Wire.errorName(Http2Error.ENHANCE_YOUR_CALM.code()),
            "GOAWAY " + H2Wire.errorName(Http2Error.PROTOCOL_ERROR.code()),
            "GOAWAY " + H2Wire.errorName(Http2Error.COMPRESSION_ERROR.code()),
            "GOAWAY " + H2Wire.errorName(Http2Error.ENHANCE_YOUR_CALM.code()));

    private static String reaction(Frame answer) {
        if (answer == null) {
            return "no answer in 5 s";
        }
        switch (answer.type) {
            case H2Wire.HEADERS:
                return "HEADERS :status " + answer.status();
            case H2Wire.RST_STREAM:
                return "RST_STREAM " + H2Wire.errorName(answer.errorCode);
            case H2Wire.GOAWAY:
                return "GOAWAY " + H2Wire.errorName(answer.errorCode) + " '" + answer.text + "'";
            default:
                return answer.toString();
        }
    }

    // ---- 6. malformed frames ----

    @Test
    public void malformedFramesGetGoAwayProtocolError() throws Exception {
        underAttack("malformed frames", () -> {
            Http2Headers get = H2Wire.request("GET", attackOrigin.url("/echo"));
            Map<String, List<String>> answers = new TreeMap<>();
            long rounds = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            for (int round = 0; round < 30 && (round < 4 || System.nanoTime() < deadline); round++) {
                try (H2Wire attacker = H2Wire.open(ferry.httpsPort)) {
                    attacker.startReading();
                    String sent;
                    if (round % 2 == 0) {
                        sent = "DATA on stream 0";
                        attacker.write(H2Wire.data(0, "x".getBytes(StandardCharsets.US_ASCII), false));
                    } else {
                        sent = "HEADERS on (even) stream 2";
                        attacker.write(attacker.headers(2, get, true));
                    }
                    rounds++;
                    Frame answer = goAwayAfter(attacker, sent, Http2Error.PROTOCOL_ERROR);
                    answers.computeIfAbsent(sent, k -> new ArrayList<>()).add(String.valueOf(answer));
                    // The last-stream-id is not checked: for every connection error Netty sends 2^31-1 ("any stream
                    // may have been processed", netty/netty#10670), which RFC 9113 section 6.8 allows.
                    Frame end = attacker.await(f -> false, 5000);
                    assertNotNull(sent + ": the connection stays open after " + answer, end);
                    assertEquals(sent + ": " + end, H2Wire.CLOSED, end.type);
                }
            }
            StringBuilder summary = new StringBuilder();
            answers.forEach((sent, got) -> summary.append(sent).append(" x").append(got.size()).append(" -> ")
                    .append(distinct(got)).append("; "));
            System.out.printf("H2AttacksIT malformed frames: %s%n", summary);
            return new Units(rounds, "connection (TLS handshake included)");
        });
    }

    // ---- 7. more streams than advertised ----

    @Test
    public void streamsBeyondMaxConcurrentStreamsAreRefused() throws Exception {
        Http2Headers post = H2Wire.request("POST", attackOrigin.url("/sha256"));
        try (H2Wire client = H2Wire.open(ferry.httpsPort)) {
            client.startReading();
            // 100 uploads that never send their body stay open; the 101st is one too many.
            for (int i = 0; i <= 100; i++) {
                client.write(client.headers(1 + 2 * i, post, false));
            }
            Frame answer = client.await(f -> f.type == H2Wire.RST_STREAM || f.type == H2Wire.GOAWAY, 10_000);
            assertNotNull("no answer to stream 201; last frames: " + client.history(), answer);
            assertEquals(answer.toString(), H2Wire.RST_STREAM, answer.type);
            assertEquals(answer.toString(), 201, answer.streamId);
            assertEquals(answer.toString(), Http2Error.REFUSED_STREAM.code(), answer.errorCode);
            System.out.printf("H2AttacksIT 101 streams at maxConcurrentStreams=100: %s%n", answer);
        }
    }

    // ---- the measurements around each attack ----

    /**
     * Runs {@code attack} (which returns what it sent, to divide the proxy's CPU time by) while a well-behaved h2 client GETs 1,000
     * bytes again and again on a connection of its own; prints the victim's latency before and during, the proxy's
     * CPU time (the victim's share included) and RSS, and checks that the victim was served throughout, at most 10x
     * slower (p99) or 500 ms.
     */
    private static void underAttack(String name, Callable<Units> attack) throws Exception {
        long pid = ferry.pid();
        try (Victim victim = new Victim(ferry.httpsPort, victimOrigin.url("/bytes?n=1000"), 1000)) {
            victim.measure(30);
            long[] before = victim.measure(BASELINE_GETS);
            long cpuBefore = cpuMillis(pid);
            long rssBefore = rssKb(pid);
            long t0 = System.nanoTime();
            victim.startBackground();
            Units units = null;
            try {
                units = attack.call();
            } finally {
                long wallMillis = (System.nanoTime() - t0) / 1_000_000;
                long[] during = victim.stopBackground();
                long cpu = cpuMillis(pid) - cpuBefore;
                long rssAfter = rssKb(pid);
                System.out.printf("H2AttacksIT %s: victim GET p50/p99 %.2f/%.2f ms before (%d GETs), %.2f/%.2f ms "
                        + "during (%d GETs); proxy CPU %d ms in %d ms (%.0f%% of one core)%s; proxy RSS %d -> %d MB"
                        + "%n", name, percentile(before, 50) / 1e6, percentile(before, 99) / 1e6, before.length,
                        percentile(during, 50) / 1e6, percentile(during, 99) / 1e6, during.length, cpu, wallMillis,
                        100.0 * cpu / Math.max(1, wallMillis),
                        units == null || units.count == 0 ? "" : String.format(", %.1f us per %s (%d)",
                                1000.0 * cpu / units.count, units.what, units.count),
                        rssBefore / 1024, rssAfter / 1024);
                if (units != null) {
                    assertTrue(name + ": the victim failed: " + victim.failures(), victim.failures().isEmpty());
                    assertTrue(name + ": the victim got only " + during.length + " answers during the attack",
                            during.length >= 5);
                    long p99Before = percentile(before, 99);
                    long p99During = percentile(during, 99);
                    assertTrue(name + ": victim p99 during the attack " + p99During / 1e6 + " ms vs "
                            + p99Before / 1e6 + " ms before",
                            p99During <= Math.max(10 * p99Before, TimeUnit.MILLISECONDS.toNanos(500)));
                }
            }
        }
    }

    /** What an attack sent: how many of what (the proxy's CPU time is printed per one of them). */
    private static final class Units {
        final long count;
        final String what;

        Units(long count, String what) {
            this.count = count;
            this.what = what;
        }
    }

    /** A well-behaved h2 client: one GET at a time on its connection, each checked. */
    private static final class Victim implements AutoCloseable {
        private final H2Wire wire;
        private final Http2Headers get;
        private final int expectedLength;
        private final List<Long> background = Collections.synchronizedList(new ArrayList<>());
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private int nextStream = 1;
        private volatile boolean stop;
        private Thread thread;

        Victim(int port, String url, int expectedLength) throws IOException {
            wire = H2Wire.open(port);
            wire.startReading();
            // A receive window that never runs out in a test: the connection's, 1 GiB.
            wire.write(H2Wire.windowUpdate(0, 1 << 30));
            get = H2Wire.request("GET", url);
            this.expectedLength = expectedLength;
        }

        long[] measure(int count) throws Exception {
            long[] nanos = new long[count];
            for (int i = 0; i < count; i++) {
                nanos[i] = get();
            }
            return nanos;
        }

        private long get() throws Exception {
            int stream = nextStream;
            nextStream += 2;
            long t0 = System.nanoTime();
            wire.write(wire.headers(stream, get, true));
            String status = null;
            int length = 0;
            while (true) {
                Frame f = wire.await(x -> x.streamId == stream || x.type == H2Wire.GOAWAY, 10_000);
                if (f == null) {
                    throw new IOException("no answer on stream " + stream + " in 10 s");
                }
                if (f.type == H2Wire.CLOSED || f.type == H2Wire.GOAWAY || f.type == H2Wire.RST_STREAM) {
                    throw new IOException("stream " + stream + ": " + f);
                }
                if (f.type == H2Wire.HEADERS && status == null) {
                    status = f.status();
                } else if (f.type == H2Wire.DATA) {
                    length += f.length;
                }
                if (f.endStream()) {
                    break;
                }
            }
            long took = System.nanoTime() - t0;
            if (!"200".equals(status) || length != expectedLength) {
                throw new IOException("stream " + stream + ": status " + status + ", " + length + " bytes");
            }
            return took;
        }

        void startBackground() {
            thread = new Thread(() -> {
                while (!stop) {
                    try {
                        background.add(get());
                        Thread.sleep(2);
                    } catch (Exception e) {
                        failures.add(e.toString());
                        return;
                    }
                }
            }, "h2-victim");
            thread.setDaemon(true);
            thread.start();
        }

        long[] stopBackground() throws InterruptedException {
            stop = true;
            thread.join(15_000);
            synchronized (background) {
                return background.stream().mapToLong(Long::longValue).toArray();
            }
        }

        List<String> failures() {
            synchronized (failures) {
                return new ArrayList<>(failures);
            }
        }

        @Override
        public void close() {
            stop = true;
            wire.close();
        }
    }

    /** Closes a connection whose writes block (a proxy that stopped reading) after {@code millis}. */
    private static final class Watchdog implements AutoCloseable {
        private final Thread thread;

        Watchdog(H2Wire wire, long millis) {
            thread = new Thread(() -> {
                try {
                    Thread.sleep(millis);
                    System.out.println("H2AttacksIT: watchdog closes a connection still blocked after " + millis
                            + " ms");
                    wire.close();
                } catch (InterruptedException done) {
                    // the test finished in time
                }
            }, "h2-watchdog");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    private static long percentile(long[] values, int p) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }

    private static String summarize(List<? extends Number> values) {
        if (values.isEmpty()) {
            return "[]";
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Number n : values) {
            min = Math.min(min, n.longValue());
            max = Math.max(max, n.longValue());
        }
        return min == max ? Long.toString(min) : min + ".." + max;
    }

    private static String distinct(List<String> answers) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String a : answers) {
            counts.merge(a, 1, Integer::sum);
        }
        return counts.toString();
    }

    /** The proxy's user + system CPU time so far ({@code /proc/<pid>/stat} fields 14 and 15). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1000 / clockTicks;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }

    /** What the proxy printed (its log) from byte {@code offset} of {@code stdout.log} on. */
    private static String since(long offset) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(ferry.home.resolve("stdout.log").toFile(), "r")) {
            long length = file.length();
            if (length <= offset) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 8 << 20)];
            file.seek(offset);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String firstLine(String text, String containing) {
        for (String line : text.split("\n")) {
            if (line.contains(containing)) {
                return line.trim();
            }
        }
        return null;
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    /**
     * Writes {@code frame} until the proxy reacts (checked once {@code atLeast} are written) or closes, at most
     * {@code max} times; how many went out.
     */
    private static int writeUntilAnswered(H2Wire attacker, byte[] frame, int atLeast, int max)
            throws InterruptedException {
        int sent = 0;
        while (sent < max) {
            if (sent >= atLeast && attacker.reacted(100)) {
                break;
            }
            try {
                attacker.write(frame);
            } catch (IOException closedByProxy) {
                break;
            }
            sent++;
        }
        return sent;
    }

    /** The proxy's answer to {@code what}, asserted to be a GOAWAY with one of {@code codes}. */
    private static Frame goAwayAfter(H2Wire attacker, String what, Http2Error... codes) throws InterruptedException {
        Frame answer = attacker.await(f -> f.type == H2Wire.GOAWAY, 5000);
        assertNotNull("no GOAWAY after " + what + "; last frames: " + attacker.history(), answer);
        assertEquals("after " + what + ": " + answer + "; last frames " + attacker.history(), H2Wire.GOAWAY,
                answer.type);
        assertTrue("after " + what + ": " + answer, Arrays.stream(codes).anyMatch(c -> c.code() == answer.errorCode));
        return answer;
    }
}
