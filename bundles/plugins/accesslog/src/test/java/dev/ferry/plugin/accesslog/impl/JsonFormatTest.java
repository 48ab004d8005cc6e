package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** JSON lines: every key, in order, and strings escaped as RFC 8259 wants. */
public class JsonFormatTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String TIME = "{\"time\":\"2026-12-07T09:15:02.123Z\",";

    @Test
    public void aGetWithAUser() {
        assertEquals(TIME + "\"client\":\"127.0.0.1\",\"listener\":\"http\",\"protocol\":\"http/1.1\","
                + "\"method\":\"GET\",\"target\":\"http://example.org/\",\"status\":200,\"bytesFromClient\":0,"
                + "\"bytesToClient\":411,\"durationMillis\":180,\"upstream\":\"DIRECT\",\"user\":\"alice\","
                + "\"error\":null,\"errorDetails\":null}", LineFormat.JSON.line(Exchanges.getWithUser(), "text/html"));
    }

    @Test
    public void aConnectTunnel() {
        assertEquals(TIME + "\"client\":\"192.0.2.10\",\"listener\":\"http\",\"protocol\":\"http/1.1\","
                + "\"method\":\"CONNECT\",\"target\":\"example.org:443\",\"status\":200,\"bytesFromClient\":517,"
                + "\"bytesToClient\":4711,\"durationMillis\":2500,\"upstream\":\"http://proxy.corp.example:3128\","
                + "\"user\":null,\"error\":null,\"errorDetails\":null}",
                LineFormat.JSON.line(Exchanges.connectTunnel(), null));
    }

    @Test
    public void aDeniedRequestWithItsError() {
        assertEquals(TIME + "\"client\":\"192.0.2.10\",\"listener\":\"http\",\"protocol\":\"http/1.1\","
                + "\"method\":\"CONNECT\",\"target\":\"example.org:25\",\"status\":403,\"bytesFromClient\":0,"
                + "\"bytesToClient\":0,\"durationMillis\":1,\"upstream\":null,\"user\":null,"
                + "\"error\":\"destination_port_prohibited\",\"errorDetails\":\"denied by connectPorts (25)\"}",
                LineFormat.JSON.line(Exchanges.deniedConnect(), null));
    }

    @Test
    public void aClientThatGotNoStatus() {
        assertEquals(TIME + "\"client\":\"127.0.0.1\",\"listener\":\"http\",\"protocol\":\"http/1.1\","
                + "\"method\":\"GET\",\"target\":\"http://example.org/slow\",\"status\":0,\"bytesFromClient\":0,"
                + "\"bytesToClient\":0,\"durationMillis\":30000,\"upstream\":\"DIRECT\",\"user\":null,"
                + "\"error\":null,\"errorDetails\":null}", LineFormat.JSON.line(Exchanges.noStatus(), null));
    }

    @Test
    public void anIpv6ClientOnSpdy() {
        assertEquals(TIME + "\"client\":\"2001:db8:0:0:0:0:0:1\",\"listener\":\"http\",\"protocol\":\"spdy/3.1\","
                + "\"method\":\"GET\",\"target\":\"http://[2001:db8::2]/\",\"status\":200,\"bytesFromClient\":0,"
                + "\"bytesToClient\":1234,\"durationMillis\":42,\"upstream\":\"DIRECT\",\"user\":null,"
                + "\"error\":null,\"errorDetails\":null}", LineFormat.JSON.line(Exchanges.ipv6Spdy(), null));
    }

    @Test
    public void quotesBackslashesAndControlCharactersInTheTargetAreEscaped() {
        String target = "http://example.org/a\"b\\c\n\u0001\u001f\u2028é";
        ClientRequest request = Exchanges.request("127.0.0.1", "GET", target, "example.org", 80).user("\t").build();
        String line = LineFormat.JSON.line(Exchanges.summary(request, 5).status(200).build(), null);

        assertEquals(TIME + "\"client\":\"127.0.0.1\",\"listener\":\"http\",\"protocol\":\"http/1.1\","
                + "\"method\":\"GET\",\"target\":\"http://example.org/a\\\"b\\\\c\\u000a\\u0001\\u001f\\u2028é\","
                + "\"status\":200,\"bytesFromClient\":0,\"bytesToClient\":0,\"durationMillis\":5,\"upstream\":null,"
                + "\"user\":\"\\u0009\",\"error\":null,\"errorDetails\":null}", line);
    }

    @Test
    public void theTimeKeepsItsMillisecondsWhenTheyAreZero() {
        String line = LineFormat.JSON.line(Exchanges.summary(Exchanges.getRequest(), 0).status(200)
                .timing(java.time.Instant.parse("2026-01-02T03:04:05Z"), java.time.Duration.ZERO).build(), null);
        assertEquals("{\"time\":\"2026-01-02T03:04:05.000Z\",", line.substring(0, TIME.length()));
    }
}
