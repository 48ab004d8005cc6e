package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.testing.LeakCheck;
import java.time.Instant;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class ConsoleStatusTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static ServiceEntry entry(String name, int ranking, long serviceId) {
        return new ServiceEntry(name, "", ranking, serviceId, "b");
    }

    @Test
    public void theHighestRankedResolverIsActiveAndTheOldestWinsATie() {
        ServiceEntry low = entry("low", -5, 1);
        ServiceEntry older = entry("older", 7, 20);
        ServiceEntry newer = entry("newer", 7, 30);
        ConsoleStatus status = new ConsoleStatus(Instant.EPOCH, null, null, List.of(newer, low, older), List.of());

        assertEquals(List.of(older, newer, low), status.resolvers());
        assertTrue(status.isActive(older));
        assertFalse(status.isActive(newer));
        assertFalse(status.isActive(low));
    }

    @Test
    public void delegatesAreInCallOrder() {
        ServiceEntry first = entry("first", 100, 9);
        ServiceEntry second = entry("second", 0, 3);
        ConsoleStatus status = new ConsoleStatus(Instant.EPOCH, null, null, List.of(), List.of(second, first));

        assertEquals(List.of(first, second), status.delegates());
    }

    @Test
    public void poolsAreSortedAndMissingServicesAreEmptyOptionals() {
        ConsoleStatus status = new ConsoleStatus(Instant.EPOCH, null,
                List.of(StatusFixtures.hostilePool(), StatusFixtures.directPool()), List.of(), List.of());

        assertEquals(List.of(StatusFixtures.directPool().key(), StatusFixtures.hostilePool().key()),
                List.of(status.pools().get().get(0).key(), status.pools().get().get(1).key()));
        assertTrue(status.badProxies().isEmpty());
    }

    @Test
    public void secondsLeftAreWholeSecondsAndNeverNegative() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        ConsoleStatus status = new ConsoleStatus(now, List.of(), null, List.of(), List.of());
        ProxyServer proxy = ProxyServer.parse("http://p:1");

        assertEquals(299, status.secondsLeft(retry(proxy, now, now.plusMillis(299_999))));
        assertEquals(300, status.secondsLeft(retry(proxy, now, now.plusSeconds(300))));
        assertEquals(0, status.secondsLeft(retry(proxy, now, now.minusMillis(1))));
    }

    private static ProxyRetryInfo retry(ProxyServer proxy, Instant markedAt, Instant retryAt) {
        return new ProxyRetryInfo(proxy, ProxyErrorType.CONNECTION_REFUSED, "", markedAt, retryAt);
    }
}
