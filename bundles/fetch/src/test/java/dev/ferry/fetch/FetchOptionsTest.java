package dev.ferry.fetch;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.ferry.testing.LeakCheck;
import java.nio.file.Paths;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The hand-written argument parser: forms it accepts, and the message for each thing it refuses. */
public class FetchOptionsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void longShortAttachedAndEqualsFormsMeanTheSame() throws UsageException {
        FetchOptions o = FetchOptions.parse("-XPUT", "--header=A: 1", "-H", "B:2", "-m", "1.5", "-ofile.out",
                "--proxy-rules", "http://p:3128", "--bypass=<-loopback>", "-v", "-k", "--cacert", "ca.pem",
                "--proxy-credentials", "p:3128=u:p:w", "http://example.test/");

        assertEquals("PUT", o.method());
        assertArrayEquals(new String[] {"A", "1"}, o.headers().get(0));
        assertArrayEquals(new String[] {"B", "2"}, o.headers().get(1));
        assertEquals(1_500_000_000L, o.maxTimeNanos());
        assertEquals(Paths.get("file.out"), o.output());
        assertEquals("http://p:3128", o.proxyRules());
        assertEquals("<-loopback>", o.bypass());
        assertTrue(o.verbose());
        assertTrue(o.insecure());
        assertEquals(Paths.get("ca.pem"), o.caCertificates());
        assertEquals(List.of("p:3128=u:p:w"), o.proxyCredentials());
        assertEquals("http://example.test/", o.url().toString());
    }

    @Test
    public void methodDefaultsToGetAndToPostWithData() throws UsageException {
        assertEquals("GET", FetchOptions.parse("http://h/").method());
        assertEquals("POST", FetchOptions.parse("-d", "x", "http://h/").method());
        assertNull(FetchOptions.parse("http://h/").data());
        assertEquals(0, FetchOptions.parse("http://h/").maxTimeNanos());
    }

    @Test
    public void doubleDashEndsTheOptions() throws UsageException {
        assertEquals("http://h/-v", FetchOptions.parse("--", "http://h/-v").url().toString());
    }

    @Test
    public void helpNeedsNoUrl() throws UsageException {
        assertTrue(FetchOptions.parse("--help").help());
    }

    @Test
    public void refusals() {
        refused("no URL given");
        refused("unknown option '--frobnicate'", "--frobnicate", "http://h/");
        refused("unknown option '-vk'", "-vk", "http://h/");
        refused("option -H needs a value", "http://h/", "-H");
        refused("option --verbose takes no value", "--verbose=yes", "http://h/");
        refused("option -H wants 'Name: value', not 'novalue'", "-H", "novalue", "http://h/");
        refused("option -X: 'GE T' is not an HTTP method", "-X", "GE T", "http://h/");
        refused("option --max-time wants seconds, not 'soon'", "--max-time", "soon", "http://h/");
        refused("option -m must be more than 0 and at most a year, not '0'", "-m", "0", "http://h/");
        refused("option -m must be more than 0 and at most a year, not 'NaN'", "-m", "NaN", "http://h/");
        refused("URL 'ftp://h/' must start with http:// or https://", "ftp://h/");
        refused("URL 'h/x' must start with http:// or https://", "h/x");
        refused("more than one URL: 'http://a/' and 'http://b/'", "http://a/", "http://b/");
        refused("URL 'http://u:p@h/' carries credentials; send them with -H 'Authorization: ...'", "http://u:p@h/");
        refused("--pac and --proxy-rules exclude each other; give one", "--pac", "x.pac", "--proxy-rules", "p",
                "http://h/");
        refused("--bypass applies to --proxy-rules only (a PAC script does its own bypassing)", "--bypass",
                "<local>", "http://h/");
        refused("option --proxy-credentials wants host:port=user:password",
                "--proxy-credentials", "p:3128", "http://h/");
    }

    private static void refused(String message, String... args) {
        try {
            FetchOptions.parse(args);
            fail("accepted " + List.of(args));
        } catch (UsageException e) {
            assertEquals(message, e.getMessage());
        }
    }
}
