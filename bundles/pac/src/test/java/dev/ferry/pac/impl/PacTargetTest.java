package dev.ferry.pac.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.ferry.testing.LeakCheck;
import java.net.URI;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class PacTargetTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static PacTarget target(String url) {
        return PacTarget.of(URI.create(url));
    }

    @Test
    public void httpsIsCutToSchemeHostAndExplicitPort() {
        assertEquals("https://secure.test/", target("https://user:pw@secure.test/a/b?q=secret#f").url());
        assertEquals("https://secure.test:8443/", target("https://secure.test:8443/path?x").url());
        assertEquals("https://secure.test:443/", target("https://secure.test:443/").url());
        assertEquals("https://[2001:db8::1]:443/", target("https://[2001:db8::1]:443/").url());
    }

    @Test
    public void httpGoesAsItIs() {
        assertEquals("http://a.test:8080/p/q?x=1", target("http://a.test:8080/p/q?x=1").url());
    }

    @Test
    public void hostIsTheUrlsHostWithoutBrackets() {
        assertEquals("a.test", target("http://A.Test:8080/x").host());
        assertEquals("2001:db8::1", target("https://[2001:db8::1]:443/").host());
        assertEquals("my_host.corp", target("http://my_host.corp/").host());
        assertEquals("my_host", target("http://u@my_host:81/").host());
    }

    @Test
    public void noHostIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> target("file:///etc/passwd"));
    }
}
