package dev.ferry.resolver.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import dev.ferry.testing.LeakCheck;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

public class ProxyRetryListTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final ProxyServer A = ProxyServer.of(Scheme.HTTP, "a", 3128);
    private static final ProxyServer B = ProxyServer.of(Scheme.HTTPS, "b", 443);
    private static final ProxyServer C = ProxyServer.of(Scheme.SOCKS5, "c", 1080);
    private static final ProxyServer D = ProxyServer.of(Scheme.SOCKS4, "d", 1080);

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private volatile Instant now = START;

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private final ManualClock clock = new ManualClock();

    private static ProxyRetryList.Config config(Object seconds) {
        return Converters.standardConverter().convert(Map.of("badProxyRetrySeconds", seconds))
                .to(ProxyRetryList.Config.class);
    }

    private ProxyRetryList retryList(int seconds) {
        return new ProxyRetryList(config(seconds), clock);
    }

    private static ProxyList list(ProxyServer... servers) {
        return ProxyList.of(List.of(servers));
    }

    @Test
    public void aMarkedProxyIsBadUntilItsRetryTime() {
        ProxyRetryList retry = retryList(300);
        retry.markBad(A, ProxyErrorType.CONNECTION_REFUSED, "connection refused by a:3128");
        assertTrue(retry.isBad(A));
        assertFalse(retry.isBad(B));

        List<ProxyRetryInfo> current = retry.current();
        assertEquals(1, current.size());
        ProxyRetryInfo info = current.get(0);
        assertEquals(A, info.proxy());
        assertEquals(ProxyErrorType.CONNECTION_REFUSED, info.error());
        assertEquals("connection refused by a:3128", info.details());
        assertEquals(START, info.markedAt());
        assertEquals(START.plusSeconds(300), info.retryAt());

        clock.advance(Duration.ofSeconds(299));
        assertTrue(retry.isBad(A));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(retry.isBad(A));
        assertEquals(List.of(), retry.current());
    }

    @Test
    public void expiredEntriesDropOutOfCurrentWithoutBeingAskedAbout() {
        ProxyRetryList retry = retryList(10);
        retry.markBad(A, ProxyErrorType.CONNECTION_TIMEOUT, "");
        clock.advance(Duration.ofSeconds(5));
        retry.markBad(B, ProxyErrorType.CONNECTION_TIMEOUT, "");
        clock.advance(Duration.ofSeconds(5));
        List<ProxyRetryInfo> current = retry.current();
        assertEquals(1, current.size());
        assertEquals(B, current.get(0).proxy());
    }

    @Test
    public void directIsNeverMarked() {
        ProxyRetryList retry = retryList(300);
        retry.markBad(ProxyServer.DIRECT, ProxyErrorType.CONNECTION_REFUSED, "origin down");
        assertFalse(retry.isBad(ProxyServer.DIRECT));
        assertEquals(List.of(), retry.current());
        retry.markBad(A, ProxyErrorType.CONNECTION_REFUSED, "");
        assertEquals(list(ProxyServer.DIRECT, A), retry.deprioritize(list(A, ProxyServer.DIRECT)));
    }

    @Test
    public void deprioritizeKeepsTheOrderAmongGoodAndAmongBadProxies() {
        ProxyRetryList retry = retryList(300);
        retry.markBad(D, ProxyErrorType.CONNECTION_REFUSED, "");
        retry.markBad(B, ProxyErrorType.CONNECTION_REFUSED, "");
        assertEquals(list(A, C, ProxyServer.DIRECT, B, D),
                retry.deprioritize(list(A, B, C, D, ProxyServer.DIRECT)));
        assertEquals(list(C, A, D, B), retry.deprioritize(list(D, C, B, A)));
        ProxyList noneBad = list(A, C);
        assertSame(noneBad, retry.deprioritize(noneBad));
    }

    @Test
    public void aListOfOnlyBadProxiesComesBackUnchanged() {
        ProxyRetryList retry = retryList(300);
        retry.markBad(A, ProxyErrorType.CONNECTION_REFUSED, "");
        retry.markBad(B, ProxyErrorType.CONNECTION_REFUSED, "");
        ProxyList allBad = list(B, A);
        assertEquals(list(B, A), retry.deprioritize(allBad));
    }

    @Test
    public void proxiesWhoseTimeHasComeAreGoodAgainInDeprioritize() {
        ProxyRetryList retry = retryList(60);
        retry.markBad(A, ProxyErrorType.CONNECTION_REFUSED, "");
        assertEquals(list(B, A), retry.deprioritize(list(A, B)));
        clock.advance(Duration.ofSeconds(60));
        assertEquals(list(A, B), retry.deprioritize(list(A, B)));
    }

    @Test
    public void currentIsSortedByRetryTimeAndMarkingAgainStartsTheDelayAfresh() {
        ProxyRetryList retry = retryList(100);
        retry.markBad(C, ProxyErrorType.CONNECTION_REFUSED, "");
        clock.advance(Duration.ofSeconds(10));
        retry.markBad(A, ProxyErrorType.CONNECTION_TIMEOUT, "");
        clock.advance(Duration.ofSeconds(10));
        retry.markBad(B, ProxyErrorType.TLS_PROTOCOL_ERROR, "");
        assertEquals(List.of(C, A, B), proxies(retry.current()));

        clock.advance(Duration.ofSeconds(10));
        retry.markBad(C, ProxyErrorType.CONNECTION_REFUSED, "again");
        assertEquals(List.of(A, B, C), proxies(retry.current()));
        assertEquals(START.plusSeconds(130), retry.current().get(2).retryAt());
    }

    @Test
    public void clearForgetsAFailure() {
        ProxyRetryList retry = retryList(300);
        retry.markBad(A, ProxyErrorType.CONNECTION_REFUSED, "");
        retry.clear(A);
        retry.clear(B);
        assertFalse(retry.isBad(A));
        assertEquals(List.of(), retry.current());
    }

    @Test
    public void theDelayMustBePositive() {
        for (int seconds : new int[] {0, -5}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ProxyRetryList(config(seconds)));
            assertTrue(e.getMessage(), e.getMessage().contains("badProxyRetrySeconds"));
            assertTrue(e.getMessage(), e.getMessage().contains("was " + seconds));
        }
        assertEquals(300, Converters.standardConverter().convert(Map.of()).to(ProxyRetryList.Config.class)
                .badProxyRetrySeconds());
    }

    @Test
    public void concurrentMarksFromSeveralThreadsAreAllKept() throws Exception {
        ProxyRetryList retry = retryList(300);
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        ProxyServer proxy = ProxyServer.of(Scheme.HTTP, "p" + thread + "-" + i, 3128);
                        retry.markBad(proxy, ProxyErrorType.CONNECTION_REFUSED, "");
                        retry.deprioritize(list(proxy, A));
                        retry.current();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, retry.current().size());
    }

    @Test
    public void aChangedDelayAppliesToNewMarksAndEarlierEntriesKeepTheirRetryTimes() {
        ProxyRetryList retry = retryList(300);
        retry.markBad(A, ProxyErrorType.CONNECTION_REFUSED, "before the change");

        retry.modified(config(10));
        retry.markBad(B, ProxyErrorType.CONNECTION_TIMEOUT, "after the change");

        assertEquals(List.of(B, A), proxies(retry.current()));
        assertEquals(START.plusSeconds(300), retry.current().get(1).retryAt());
        assertEquals(START.plusSeconds(10), retry.current().get(0).retryAt());
        clock.advance(Duration.ofSeconds(10));
        assertFalse("marked after the change: 10 s", retry.isBad(B));
        assertTrue("marked before the change: still its 300 s", retry.isBad(A));
        assertEquals(list(B, A), retry.deprioritize(list(A, B)));
    }

    @Test
    public void anInvalidChangeKeepsTheDelayInForce() {
        ProxyRetryList retry = retryList(60);
        retry.modified(config(0));
        retry.markBad(A, ProxyErrorType.CONNECTION_REFUSED, "");
        assertEquals(START.plusSeconds(60), retry.current().get(0).retryAt());
    }

    private static List<ProxyServer> proxies(List<ProxyRetryInfo> infos) {
        List<ProxyServer> out = new ArrayList<>();
        infos.forEach(info -> out.add(info.proxy()));
        return out;
    }
}
