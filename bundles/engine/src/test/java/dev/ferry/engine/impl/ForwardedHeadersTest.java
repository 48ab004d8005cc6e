package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class ForwardedHeadersTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final ForwardedHeaders forwarded = new ForwardedHeaders("ferry");

    @Test
    public void hopByHopHeadersAndTheOnesConnectionNamesAreRemoved() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Secret")
                .add("Connection", "X-Other")
                .add("X-Secret", "1").add("X-Other", "2")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive")
                .add("Proxy-Authorization", "Basic Zm9vOmJhcg==").add("TE", "trailers")
                .add("Trailer", "X-Sum").add("Upgrade", "h2c")
                .add("Transfer-Encoding", "chunked").add("Accept", "*/*");
        forwarded.forward(h);
        for (String gone : new String[] {"Connection", "X-Secret", "X-Other", "Keep-Alive", "Proxy-Connection",
            "Proxy-Authorization", "TE", "Trailer", "Upgrade"}) {
            assertFalse(gone, h.contains(gone));
        }
        assertEquals("chunked", h.get("Transfer-Encoding"));
        assertEquals("*/*", h.get("Accept"));
        assertEquals("1.1 ferry", h.get("Via"));
    }

    @Test
    public void connectionCannotRemoveFraming() {
        HttpHeaders h = new DefaultHttpHeaders().add("Connection", "Content-Length").add("Content-Length", "5");
        forwarded.removeHopByHop(h);
        assertTrue(h.contains("Content-Length"));
    }

    @Test
    public void viaIsAppended() {
        HttpHeaders h = new DefaultHttpHeaders().add("Via", "1.0 upstream");
        forwarded.addVia(h);
        assertEquals("1.0 upstream, 1.1 ferry", h.get("Via"));
    }
}
