package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Ferries whose rules send everything through a SOCKS upstream (the test's {@link SocksServer}): SOCKS5, and SOCKS4
 * for one GET and one tunnel.
 */
public class SocksUpstreamIT {

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static SocksServer socks;
    private static FerryProcess ferry;
    private static FerryProcess socks4;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        tlsOrigin = resources.add(new TestOrigin(TlsOrigin.context()));
        socks = resources.add(new SocksServer());
        List<FerryProcess> ferries = FerryProcess.startAll("-Xmx64m", Settings.rules(socks.rule()).files(),
                Settings.rules(socks.socks4Rule()).files());
        ferries.forEach(resources::add);
        ferry = ferries.get(0);
        socks4 = ferries.get(1);
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void getGoesThroughTheSocksServer() throws Exception {
        int before = socks.connections.get();
        Curl c = Curl.run("-x", ferry.httpProxy(), origin.url("/echo?socks=get"));
        assertEquals(c.toString(), 0, c.exit);
        // SOCKS carries the request as it is: in origin form, with Ferry's Via.
        assertTrue(c.out, c.out.startsWith("GET /echo?socks=get HTTP/1.1\n"));
        assertTrue(c.out, c.out.toLowerCase().contains("via: 1.1 ferry\n"));
        assertTrue(socks.targets.toString(), socks.targets.stream().anyMatch(t -> t.endsWith(" 127.0.0.1:"
                + origin.port())));
        assertTrue("at least one new connection to the SOCKS server", socks.connections.get() > before);
        String line = ferry.awaitAccessLine("GET " + origin.url("/echo?socks=get") + " 200 ");
        assertTrue(line, line.endsWith(" " + socks.rule() + " - http/1.1"));
    }

    @Test
    public void hostNamesAreResolvedByTheSocksServer() throws Exception {
        Curl c = Curl.run("-x", ferry.httpProxy(), "http://localhost:" + origin.port() + "/echo?socks=name");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo?socks=name HTTP/1.1\n"));
        assertTrue("SOCKS5 sends the name, not an address: " + socks.targets,
                socks.targets.contains("DOMAIN localhost:" + origin.port()));
    }

    @Test
    public void tunnelGoesThroughTheSocksServer() throws Exception {
        String authority = "127.0.0.1:" + tlsOrigin.port();
        Curl c = Curl.run("-x", ferry.httpProxy(), "-k", "https://" + authority + "/echo?socks=tunnel");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo?socks=tunnel HTTP/1.1\n"));
        assertTrue(socks.targets.toString(), socks.targets.stream().anyMatch(t -> t.endsWith(" " + authority)));
        String line = ferry.awaitAccessLine("CONNECT " + authority + " 200 ");
        assertTrue(line, line.endsWith(" " + socks.rule() + " - http/1.1"));
        PatternDownload.assertIntact(ferry, "https://" + authority + "/bytes?n=2000000");
    }

    @Test
    public void unreachableTargetBehindTheSocksServerIs502() throws Exception {
        int closed = Ports.free();
        String head = ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:" + closed);
        assertTrue(head, head.startsWith("HTTP/1.1 502 "));
        assertTrue(head, head.toLowerCase().contains("proxy-status: ferry; error="));
        assertTrue(socks.targets.toString(), socks.targets.stream().anyMatch(t -> t.endsWith(" 127.0.0.1:" + closed)));
    }

    @Test
    public void socks4CarriesRequestsAndTunnels() throws Exception {
        Curl get = Curl.run("-x", socks4.httpProxy(), origin.url("/echo?socks=4"));
        assertEquals(get.toString(), 0, get.exit);
        assertTrue(get.out, get.out.startsWith("GET /echo?socks=4 HTTP/1.1\n"));
        assertTrue(socks.targets.toString(), socks.targets.contains("SOCKS4 127.0.0.1:" + origin.port()));
        String authority = "127.0.0.1:" + tlsOrigin.port();
        Curl tunnel = Curl.run("-x", socks4.httpProxy(), "-k", "https://" + authority + "/echo?socks=4-tunnel");
        assertEquals(tunnel.toString(), 0, tunnel.exit);
        assertTrue(tunnel.out, tunnel.out.startsWith("GET /echo?socks=4-tunnel HTTP/1.1\n"));
        String line = socks4.awaitAccessLine("CONNECT " + authority + " 200 ");
        assertTrue(line, line.endsWith(" " + socks.socks4Rule() + " - http/1.1"));
    }
}
