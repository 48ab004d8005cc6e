package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.testing.LeakCheck;
import java.util.Locale;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The Common and Combined formats, as Apache writes them. */
public class NcsaFormatTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void common() {
        assertEquals("127.0.0.1 - alice [07/Dec/2026:09:15:02 +0000] \"GET http://example.org/ HTTP/1.1\" 200 411",
                LineFormat.COMMON.line(Exchanges.getWithUser(), null));
        assertEquals("192.0.2.10 - - [07/Dec/2026:09:15:02 +0000] \"CONNECT example.org:443 HTTP/1.1\" 200 4711",
                LineFormat.COMMON.line(Exchanges.connectTunnel(), null));
        assertEquals("192.0.2.10 - - [07/Dec/2026:09:15:02 +0000] \"CONNECT example.org:25 HTTP/1.1\" 403 -",
                LineFormat.COMMON.line(Exchanges.deniedConnect(), null));
        assertEquals("127.0.0.1 - - [07/Dec/2026:09:15:02 +0000] \"GET http://example.org/slow HTTP/1.1\" - -",
                LineFormat.COMMON.line(Exchanges.noStatus(), null));
    }

    @Test
    public void anIpv6ClientOnSpdyIsStillHttp11InTheRequestLine() {
        assertEquals("2001:db8:0:0:0:0:0:1 - - [07/Dec/2026:09:15:02 +0000] \"GET http://[2001:db8::2]/ HTTP/1.1\""
                + " 200 1234", LineFormat.COMMON.line(Exchanges.ipv6Spdy(), null));
    }

    @Test
    public void combined() {
        assertEquals("127.0.0.1 - alice [07/Dec/2026:09:15:02 +0000] \"GET http://example.org/ HTTP/1.1\" 200 411"
                + " \"http://example.org/start\" \"curl/8.5.0\"", LineFormat.COMBINED.line(Exchanges.getWithUser(),
                        null));
        assertEquals("192.0.2.10 - - [07/Dec/2026:09:15:02 +0000] \"CONNECT example.org:443 HTTP/1.1\" 200 4711"
                + " \"-\" \"-\"", LineFormat.COMBINED.line(Exchanges.connectTunnel(), null));
        assertEquals("192.0.2.10 - - [07/Dec/2026:09:15:02 +0000] \"CONNECT example.org:25 HTTP/1.1\" 403 -"
                + " \"-\" \"-\"", LineFormat.COMBINED.line(Exchanges.deniedConnect(), null));
        assertEquals("127.0.0.1 - - [07/Dec/2026:09:15:02 +0000] \"GET http://example.org/slow HTTP/1.1\" - -"
                + " \"-\" \"-\"", LineFormat.COMBINED.line(Exchanges.noStatus(), null));
        assertEquals("2001:db8:0:0:0:0:0:1 - - [07/Dec/2026:09:15:02 +0000] \"GET http://[2001:db8::2]/ HTTP/1.1\""
                + " 200 1234 \"-\" \"-\"", LineFormat.COMBINED.line(Exchanges.ipv6Spdy(), null));
    }

    @Test
    public void quotesBackslashesAndControlCharactersAreEscaped() {
        ClientRequest request = Exchanges.request("127.0.0.1", "GET", "http://example.org/\"x\"", "example.org", 80)
                .headers(Exchanges.headers("User-Agent", "Evil \"Bot\" \\ 1.0\tx\u001b[31m\r\nGET /fake",
                        "Referer", "\u0085\u007f"))
                .user("bob \"the\" admin").build();
        String line = LineFormat.COMBINED.line(Exchanges.summary(request, 5).status(200).bytes(0, 12).build(), null);

        assertEquals("127.0.0.1 - bob \\\"the\\\" admin [07/Dec/2026:09:15:02 +0000]"
                + " \"GET http://example.org/\\\"x\\\" HTTP/1.1\" 200 12"
                + " \"\\x85\\x7f\" \"Evil \\\"Bot\\\" \\\\ 1.0\\x09x\\x1b[31m\\x0d\\x0aGET /fake\"", line);
    }

    @Test
    public void monthNamesAreEnglishWhateverTheLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            ClientRequest request = Exchanges.getRequest();
            String line = LineFormat.COMMON.line(Exchanges.summary(request, 0).status(200)
                    .timing(java.time.Instant.parse("2026-03-01T00:00:00Z"), java.time.Duration.ZERO).build(), null);
            assertEquals("127.0.0.1 - alice [01/Mar/2026:00:00:00 +0000] \"GET http://example.org/ HTTP/1.1\" 200 -",
                    line);
        } finally {
            Locale.setDefault(before);
        }
    }
}
