package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.spdy.client.Negotiation;
import dev.ferry.spdy.client.Response;
import dev.ferry.spdy.client.SpdyClient;
import dev.ferry.spdy.client.SpdySession;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The shipped exchange-hook plugins in the real distribution: the ACL as shipped (CONNECT to listed ports only), and
 * proxy authentication switched on while the proxy runs (a users file written by {@code bin/ferry-passwd}, then
 * {@code config/dev.ferry.auth.cfg}), on the plain listener, the TLS listener and a SPDY stream; a listener on a
 * non-loopback address serves only while a plugin restricts its clients.
 */
public class PluginsIT {

    private static final String PASSWORD = "correct horse 7";

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static FerryProcess ferry;
    private static String proxy;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        tlsOrigin = resources.add(new TestOrigin(TlsOrigin.context()));
        ferry = resources.add(FerryProcess.start("-Xmx64m", Map.of("dev.ferry.acl.cfg", Map.of("connectPorts",
                "[ \"443\", \"" + tlsOrigin.port() + "\" ]"))));
        proxy = ferry.httpProxy();
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void aclLetsConnectReachOnlyTheListedPortsAndSaysWhy() throws Exception {
        String head = ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:25");
        assertTrue(head, head.startsWith("HTTP/1.1 403 "));
        assertTrue(head, head.contains("Proxy-Status: ferry; error=destination_port_prohibited; details=\""));
        assertTrue(head, head.contains("connectPorts"));
        String logged = Await.until("the denial in ferry.log", 5000, () -> ferry.log().lines()
                .filter(l -> l.contains("127.0.0.1:25") && l.contains("connectPorts")).findFirst().orElse(null));
        assertNotNull(logged);

        String allowed = ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:" + tlsOrigin.port());
        assertTrue(allowed, allowed.startsWith("HTTP/1.1 200 "));

        // A configuration that does not parse is refused, with one ERROR naming the entry; the rules in force stay.
        FerryProcess.setKey(ferry.home, "dev.ferry.acl.cfg", "rules", "[ \"deny prot=25\" ]");
        String error = Await.until("the refused ACL change in ferry.log", 10_000, () -> ferry.log().lines()
                .filter(l -> l.contains("ERROR") && l.contains("rules[0] 'deny prot=25'")).findFirst().orElse(null));
        assertTrue(error, error.contains("unknown condition 'prot=25'"));
        assertTrue(ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:25").startsWith("HTTP/1.1 403 "));
        assertTrue(ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:" + tlsOrigin.port())
                .startsWith("HTTP/1.1 200 "));
        FerryProcess.setKey(ferry.home, "dev.ferry.acl.cfg", "rules", "[ ]");
    }

    /**
     * One story, in order, because the failure throttle counts per client address and every client here is
     * 127.0.0.1: authentication switched on live, used on every listener and protocol, throttled, switched off.
     */
    @Test
    public void authenticationSwitchedOnLiveAsksEveryClientAndForwardsNoCredentials() throws Exception {
        Path home = ferry.home;
        CommandResult passwd = CommandResult.run(List.of("sh", "-c", "printf '%s\\n' \"$0\" | \"$1\" alice",
                PASSWORD, home.resolve("bin/ferry-passwd").toString()), 60);
        assertEquals(passwd.toString(), 0, passwd.exit);
        assertTrue(Files.readString(home.resolve("etc/ferry-users")).startsWith("alice:pbkdf2-sha256:210000:"));
        Path example = home.resolve("config/dev.ferry.auth.cfg.example");
        Path staged = home.resolve("config/.dev.ferry.auth.cfg.tmp");
        Files.copy(example, staged, StandardCopyOption.REPLACE_EXISTING);
        FerryProcess.setKey(home, ".dev.ferry.auth.cfg.tmp", "maxFailures", "I\"4\"");
        FerryProcess.setKey(home, ".dev.ferry.auth.cfg.tmp", "failureWindowSeconds", "I\"3\"");
        Files.move(staged, home.resolve("config/dev.ferry.auth.cfg"), StandardCopyOption.ATOMIC_MOVE);

        // Without credentials: 407 and a Basic challenge, once the configuration is read.
        Curl challenged = Await.until("a 407 from the proxy", 10_000, () -> {
            Curl c = Curl.run("-x", proxy, "-D", "-", "-o", "/dev/null", origin.url("/echo"));
            return c.out.startsWith("HTTP/1.1 407 ") ? c : null;
        });
        assertTrue(challenged.out, challenged.out.contains("Proxy-Authenticate: Basic realm=\"ferry\""));
        assertTrue(challenged.out, challenged.out.contains("Proxy-Status: ferry; error=http_request_denied"));

        // With them: the request goes through, without Proxy-Authorization, and the access log names the user.
        String marker = "/echo?auth-marker=" + System.nanoTime();
        Curl ok = Curl.run("-x", proxy, "--proxy-user", "alice:" + PASSWORD, origin.url(marker));
        assertEquals(ok.toString(), 0, ok.exit);
        assertTrue(ok.out, ok.out.startsWith("GET " + marker.substring(0, 5)));
        assertFalse("credentials reached the origin:\n" + ok.out, ok.out.toLowerCase().contains("proxy-authorization"));
        String line = ferry.awaitAccessLine(origin.url(marker) + " 200 ");
        assertTrue(line, line.endsWith(" alice http/1.1"));

        // Through a CONNECT tunnel, and over the TLS listener.
        Curl tunnel = Curl.run("-x", proxy, "--proxy-user", "alice:" + PASSWORD, "-k",
                "https://127.0.0.1:" + tlsOrigin.port() + "/bytes?n=1000", "-o", "/dev/null", "-w", "%{http_code}");
        assertEquals(tunnel.toString(), "200", tunnel.out);
        Curl overTls = Curl.run("-x", ferry.httpsProxy(), "--proxy-insecure", "--proxy-user", "alice:" + PASSWORD,
                origin.url("/bytes?n=1000"), "-o", "/dev/null", "-w", "%{http_code}");
        assertEquals(overTls.toString(), "200", overTls.out);
        Curl tunnelAsked = Curl.run("-x", proxy, "-k", "https://127.0.0.1:" + tlsOrigin.port() + "/", "-o",
                "/dev/null", "-w", "%{http_connect}");
        assertEquals(tunnelAsked.toString(), "407", tunnelAsked.out);

        // A SPDY stream is asked the same way.
        try (SpdyClient client = new SpdyClient();
                SpdySession session = client.open(new InetSocketAddress("127.0.0.1", ferry.httpsPort),
                        Negotiation.ALPN)) {
            try (Response asked = session.get(origin.url("/echo"))) {
                assertEquals(407, asked.status());
                assertEquals("Basic realm=\"ferry\", charset=\"UTF-8\"", asked.header("proxy-authenticate"));
            }
            String basic = "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            try (Response served = session.get(origin.url("/echo"), Map.of("proxy-authorization", basic))) {
                assertEquals(200, served.status());
                String echoed = new String(served.bodyBytes(), StandardCharsets.ISO_8859_1).toLowerCase();
                assertFalse(echoed, echoed.contains("proxy-authorization"));
            }
            assertTrue("the proxy broke SPDY/3.1: " + session.peerViolations(), session.peerViolations().isEmpty());
        }

        // Wrong passwords: 407 each, then 429 once maxFailures (4) are used up; the verified user still passes.
        int status = 0;
        int attempts = 0;
        while (status != 429 && attempts < 8) {
            attempts++;
            Curl wrong = Curl.run("-x", proxy, "--proxy-user", "alice:wrong" + attempts, origin.url("/echo"),
                    "-o", "/dev/null", "-w", "%{http_code}");
            status = Integer.parseInt(wrong.out.trim());
            assertTrue(wrong.toString(), status == 407 || status == 429);
        }
        assertEquals("the fifth failed attempt is throttled", 5, attempts);
        assertTrue(ferry.log(), ferry.log().contains("wrong user name or password for user 'alice'"));
        assertFalse("no password in the log", ferry.log().contains("wrong1"));
        Curl stillOk = Curl.run("-x", proxy, "--proxy-user", "alice:" + PASSWORD, origin.url("/echo"), "-o",
                "/dev/null", "-w", "%{http_code}");
        assertEquals(stillOk.toString(), "200", stillOk.out);

        // Switched off live: requests pass without credentials again.
        Files.delete(home.resolve("config/dev.ferry.auth.cfg"));
        Await.until("requests without credentials served again", 10_000, () -> "200".equals(Curl.run("-x", proxy,
                origin.url("/echo"), "-o", "/dev/null", "-w", "%{http_code}").out) ? Boolean.TRUE : null);
    }

    /**
     * The headers plugin switched on live (X-Forwarded-For, Forwarded, a request and a response rule), and a JSON
     * access log added live: each request is there as one line, a denial with its Proxy-Status error.
     */
    @Test
    public void headerRulesAndAJsonAccessLogSwitchedOnLive() throws Exception {
        Path home = ferry.home;
        Path jsonCfg = home.resolve("config/dev.ferry.accesslog-json.cfg");
        Path staged = home.resolve("config/.dev.ferry.accesslog-json.cfg.tmp");
        Files.writeString(staged, "format = json\n");
        Files.move(staged, jsonCfg, StandardCopyOption.ATOMIC_MOVE);
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "requestHeaders", "[ \"set X-Ferry-Rule: yes\" ]");
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "responseHeaders", "[ \"add X-Served-By: ferry\" ]");
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "xForwardedFor", "B\"true\"");
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "forwarded", "B\"true\"");
        String marker = "/echo?headers-marker=" + System.nanoTime();

        Curl seen = Await.until("the header rules applied", 10_000, () -> {
            Curl c = Curl.run("-x", proxy, "-D", "-", "-H", "X-Forwarded-For: 203.0.113.9", origin.url(marker));
            return c.out.contains("X-Served-By: ferry")
                    && c.out.toLowerCase().contains("x-forwarded-for: 203.0.113.9, 127.0.0.1") ? c : null;
        });
        String echoed = seen.out.toLowerCase();
        assertTrue(seen.out, echoed.contains("x-ferry-rule: yes"));
        assertTrue(seen.out, echoed.contains("forwarded: for=127.0.0.1;proto=http"));

        // The log starts when FileInstall has read its file: until then requests are not in it.
        Path jsonLog = home.resolve("data/log/access-json.log");
        String line = Await.until("the request in " + jsonLog, 10_000, () -> {
            Curl.run("-x", proxy, "-o", "/dev/null", origin.url(marker));
            return Files.exists(jsonLog) ? Files.readAllLines(jsonLog).stream().filter(l -> l.contains(marker))
                    .findFirst().orElse(null) : null;
        });
        assertTrue(line, line.startsWith("{\"time\":\""));
        assertTrue(line, line.contains("\"method\":\"GET\",\"target\":\"" + origin.url(marker) + "\",\"status\":200"));
        assertTrue(line, line.contains("\"upstream\":\"DIRECT\""));

        String denied = ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:25");
        assertTrue(denied, denied.startsWith("HTTP/1.1 403 "));
        String deniedLine = Await.until("the denial in " + jsonLog, 10_000, () -> Files.readAllLines(jsonLog)
                .stream().filter(l -> l.contains("\"target\":\"127.0.0.1:25\"")).findFirst().orElse(null));
        assertTrue(deniedLine, deniedLine.contains("\"status\":403"));
        assertTrue(deniedLine, deniedLine.contains("\"error\":\"destination_port_prohibited\""));

        // Off again: the headers plugin has nothing to do, and the log's configuration goes.
        Files.delete(jsonCfg);
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "requestHeaders", "[ ]");
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "responseHeaders", "[ ]");
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "xForwardedFor", "B\"false\"");
        FerryProcess.setKey(home, "dev.ferry.headers.cfg", "forwarded", "B\"false\"");
        Await.until("the header rules gone", 10_000, () -> Curl.run("-x", proxy, "-D", "-", origin.url("/echo"))
                .out.contains("X-Served-By") ? null : Boolean.TRUE);
    }

    @Test
    public void listenerOnANonLoopbackAddressServesOnlyWhileAPluginRestrictsClients() throws Exception {
        int port = Ports.free();
        Path cfg = ferry.home.resolve("config/dev.ferry.listener-public.cfg");
        Path staged = ferry.home.resolve("config/.dev.ferry.listener-public.cfg.tmp");
        Files.writeString(staged, "name = public\nhost = 0.0.0.0\nport = " + port + "\n");
        Files.move(staged, cfg, StandardCopyOption.ATOMIC_MOVE);
        String refusal = Await.until("the open-proxy refusal in ferry.log", 10_000, () -> ferry.log().lines()
                .filter(l -> l.contains("listener public: host 0.0.0.0 is not a loopback address")).findFirst()
                .orElse(null));
        assertTrue(refusal, refusal.contains("openProxy"));
        assertFalse("nothing accepts on " + port, accepts(port));

        // A client rule makes the ACL restrict clients: the listener serves, and the rule applies on it.
        FerryProcess.setKey(ferry.home, "dev.ferry.acl.cfg", "rules",
                "[ \"allow client=127.0.0.0/8\", \"deny all\" ]");
        Await.until("the public listener accepting", 10_000, () -> accepts(port) ? Boolean.TRUE : null);
        Curl served = Curl.run("-x", "http://127.0.0.1:" + port, origin.url("/echo"), "-o", "/dev/null", "-w",
                "%{http_code}");
        assertEquals(served.toString(), "200", served.out);

        // Reached on an address that is not loopback, the proxy does not relay to loopback or private destinations:
        // not to this machine's own services (its Web Console on 127.0.0.1 included).
        InetAddress external = nonLoopbackAddress();
        if (external != null) {
            String self = external.getHostAddress() + (external instanceof Inet6Address ? "/128" : "/32");
            FerryProcess.setKey(ferry.home, "dev.ferry.acl.cfg", "rules",
                    "[ \"deny client=!127.0.0.0/8," + self + "\" ]");
            String via = "http://" + (external instanceof Inet6Address ? "[" + external.getHostAddress() + "]"
                    : external.getHostAddress()) + ":" + port;
            Curl refused = Await.until("the private destination refused", 10_000, () -> {
                Curl c = Curl.run("-x", via, "-D", "-", "-o", "/dev/null", origin.url("/echo"));
                // (until the new rules are read, the old ones answer: deny all)
                return c.out.contains("error=destination_ip_prohibited") ? c : null;
            });
            assertTrue(refused.out, refused.out.startsWith("HTTP/1.1 403 "));
            Curl local = Curl.run("-x", "http://127.0.0.1:" + port, origin.url("/echo"), "-o", "/dev/null", "-w",
                    "%{http_code}");
            assertEquals("through the loopback address it is this machine's own client: " + local, "200",
                    local.out);
        }

        // The rule goes: the listener stops serving.
        FerryProcess.setKey(ferry.home, "dev.ferry.acl.cfg", "rules", "[ ]");
        Await.until("the public listener closed", 10_000, () -> accepts(port) ? null : Boolean.TRUE);
        Files.delete(cfg);
    }

    /** An address of this machine that is not loopback (traffic to it stays on the machine), or null. */
    private static InetAddress nonLoopbackAddress() throws java.net.SocketException {
        for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        return null;
    }

    private static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
