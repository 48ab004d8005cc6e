package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class RequestTargetTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void absoluteFormBecomesOriginFormAndHost() {
        RequestTarget t = RequestTarget.absolute("http://Origin.Test:8080/a/b?c=d#frag");
        assertEquals("origin.test:8080", t.destination().toString());
        assertEquals("/a/b?c=d", t.originForm());
        assertEquals("origin.test:8080", t.hostHeader());
        assertEquals("http://origin.test:8080/a/b?c=d", t.absoluteForm());
    }

    @Test
    public void defaultPortAndEmptyPath() {
        RequestTarget t = RequestTarget.absolute("http://example.org");
        assertEquals(80, t.destination().port());
        assertEquals("/", t.originForm());
        assertEquals("example.org", t.hostHeader());
        assertEquals("/?q", RequestTarget.absolute("HTTP://example.org?q").originForm());
    }

    @Test
    public void ipv6Literal() {
        RequestTarget t = RequestTarget.absolute("http://[::1]:9000/x");
        assertEquals("::1", t.destination().host());
        assertEquals("[::1]:9000", t.hostHeader());
    }

    @Test
    public void connectNeedsHostAndPort() {
        RequestTarget t = RequestTarget.authority("origin.test:443");
        assertTrue(t.isConnect());
        assertEquals("https://origin.test:443/", t.resolverUrl().toString());
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.authority("origin.test"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.authority("origin.test:99999"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.authority("origin.test:44x"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.authority("/path"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.authority("user@origin.test:443"));
    }

    @Test
    public void nonProxyTargetsAreRejectedWithAReason() {
        IllegalArgumentException originForm = assertThrows(IllegalArgumentException.class,
                () -> RequestTarget.absolute("/index.html"));
        assertTrue(originForm.getMessage().contains("absolute-form"));
        IllegalArgumentException https = assertThrows(IllegalArgumentException.class,
                () -> RequestTarget.absolute("https://origin.test/"));
        assertTrue(https.getMessage().contains("CONNECT"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.absolute("ftp://origin.test/"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.absolute("http:///nohost"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.absolute("http://u:p@origin.test/"));
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.absolute("http://origin.test:0/"));
    }
}
