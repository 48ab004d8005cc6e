package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * An upstream proxy that wants Basic credentials ({@link AuthProxy}: 407 first): without configured
 * {@code proxyCredentials} the client gets 502 {@code http_request_denied}; with them Ferry answers the challenge,
 * on the same connection when the upstream keeps it open, on a new one when the upstream closes it after the 407.
 */
public class UpstreamAuthIT {

    private static final String CREDENTIALS = "Basic dXNlcjpzZWNyZXQ="; // user:secret
    private static final Pattern DETAILS = Pattern.compile("details=\"([^\"]*)\"");

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static AuthProxy unanswered;
    private static AuthProxy keepsConnection;
    private static AuthProxy closesConnection;
    private static FerryProcess withoutCredentials;
    private static FerryProcess answering;
    private static FerryProcess answeringAfterClose;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        tlsOrigin = resources.add(new TestOrigin(TlsOrigin.context()));
        unanswered = resources.add(AuthProxy.requiring("user", "secret", false));
        keepsConnection = resources.add(AuthProxy.requiring("user", "secret", false));
        closesConnection = resources.add(AuthProxy.requiring("user", "secret", true));
        List<FerryProcess> ferries = FerryProcess.startAll("-Xmx64m",
                Settings.rules(unanswered.rule()).files(),
                withCredentials(keepsConnection).files(),
                withCredentials(closesConnection).files());
        ferries.forEach(resources::add);
        withoutCredentials = ferries.get(0);
        answering = ferries.get(1);
        answeringAfterClose = ferries.get(2);
    }

    private static Settings withCredentials(AuthProxy upstream) {
        return Settings.rules(upstream.rule())
                .set(Settings.POOL, "proxyCredentials", "127.0.0.1:" + upstream.port() + "=user:secret");
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void challengeWithoutConfiguredCredentialsIs502RequestDenied() throws Exception {
        String authority = "127.0.0.1:" + tlsOrigin.port();
        String head = ProxyClients.connectHead(withoutCredentials.httpPort, authority);
        assertTrue(head, head.startsWith("HTTP/1.1 502 "));
        assertTrue(head, head.toLowerCase(Locale.ROOT).contains("proxy-status: ferry; error=http_request_denied"));
        Matcher details = DETAILS.matcher(head);
        assertTrue(head, details.find());
        assertTrue("details mention authentication: " + head,
                details.group(1).toLowerCase(Locale.ROOT).contains("authenticat"));
        withoutCredentials.awaitAccessLine("CONNECT " + authority + " 502 ");
        List<AuthProxy.Head> asked = unanswered.connectsTo(authority);
        assertEquals("one CONNECT, no credentials invented: " + asked, 1, asked.size());
        assertNull(asked.get(0).header("Proxy-Authorization"));
    }

    @Test
    public void challengeIsAnsweredOnTheSameConnection() throws Exception {
        List<AuthProxy.Head> asked = tunnelThrough(answering, keepsConnection);
        assertEquals("the 407 round and the retry on the kept connection: " + asked,
                asked.get(0).connection, asked.get(1).connection);
    }

    @Test
    public void challengeIsAnsweredOnANewConnectionWhenTheUpstreamClosed() throws Exception {
        List<AuthProxy.Head> asked = tunnelThrough(answeringAfterClose, closesConnection);
        assertNotEquals("the upstream closed after its 407: " + asked,
                asked.get(0).connection, asked.get(1).connection);
    }

    /** A tunnel through {@code ferry} to the TLS origin; returns the two CONNECTs {@code upstream} saw. */
    private static List<AuthProxy.Head> tunnelThrough(FerryProcess ferry, AuthProxy upstream) throws Exception {
        String authority = "127.0.0.1:" + tlsOrigin.port();
        Curl c = Curl.run("-x", ferry.httpProxy(), "-k", "https://" + authority + "/echo?auth");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo?auth HTTP/1.1\n"));
        List<AuthProxy.Head> asked = upstream.connectsTo(authority);
        assertEquals("a 407 round, then the CONNECT with credentials: " + asked, 2, asked.size());
        assertNull("first without credentials: " + asked, asked.get(0).header("Proxy-Authorization"));
        assertEquals(asked.toString(), CREDENTIALS, asked.get(1).header("Proxy-Authorization"));
        ferry.awaitAccessLine("CONNECT " + authority + " 200 ");
        return asked;
    }
}
