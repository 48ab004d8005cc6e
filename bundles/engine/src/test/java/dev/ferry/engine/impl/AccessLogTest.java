package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class AccessLogTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    @Test
    public void theClientProtocolIsTheLastField() {
        assertEquals("/127.0.0.1:40000 GET http://origin.test/a 200 0 1234 17ms DIRECT - h2",
                AccessLog.line(CLIENT, "GET", "http://origin.test/a", 200, 0, 1234, 17_900_000, "DIRECT", null,
                        "h2"));
        assertEquals("/127.0.0.1:40000 CONNECT origin.test:443 200 517 4096 3ms http://proxy:3128 alice spdy/3.1",
                AccessLog.line(CLIENT, "CONNECT", "origin.test:443", 200, 517, 4096, 3_000_000, "http://proxy:3128",
                        "alice", "spdy/3.1"));
    }

    @Test
    public void tenFieldsWhateverIsMissing() {
        String line = AccessLog.line(CLIENT, "GET", "http://origin.test/", 0, 0, 0, 0, "-", null, null);
        assertEquals(10, line.split(" ").length);
        assertEquals("/127.0.0.1:40000 GET http://origin.test/ 0 0 0 0ms - - -", line);
    }

    @Test
    public void eachLineCarriesTheTimeItsExchangeEndedToTheMillisecondWithItsZoneOffset() {
        long millis = java.time.Instant.parse("2026-12-07T19:33:09.012Z").toEpochMilli();
        assertEquals("2026-12-07T19:33:09.012Z", AccessLog.time(millis, java.time.ZoneOffset.UTC));
        assertEquals("2026-12-07T20:33:09.012+01:00", AccessLog.time(millis, java.time.ZoneId.of("Europe/Berlin")));
        assertEquals("2026-12-07T19:33:09.999Z", AccessLog.time(millis + 987, java.time.ZoneOffset.UTC));
        assertEquals("2026-12-07T19:33:10.000Z", AccessLog.time(millis + 988, java.time.ZoneOffset.UTC));
        assertEquals("2026-12-07T19:33:09.099Z", AccessLog.time(millis + 87, java.time.ZoneOffset.UTC));
        // the same as Log4j's %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} wrote before, whatever the millisecond
        java.time.format.DateTimeFormatter log4j = java.time.format.DateTimeFormatter.ofPattern(
                "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        java.time.ZoneId zone = java.time.ZoneId.of("America/St_Johns");
        for (long t = millis; t < millis + 2500; t += 7) {
            assertEquals(log4j.format(java.time.Instant.ofEpochMilli(t).atZone(zone)), AccessLog.time(t, zone));
        }
    }

    @Test
    public void anExchangeCarriesItsCodecsProtocol() {
        Exchange ex = new Exchange(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://o.test/"),
                TestCodecs.SERVER.protocol());
        assertEquals("http/1.1", ex.protocol);
    }
}
