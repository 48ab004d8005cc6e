package dev.ferry.plugin.auth.impl;

import static dev.ferry.plugin.auth.impl.HookFixture.await;
import static dev.ferry.plugin.auth.impl.HookFixture.basic;
import static dev.ferry.plugin.auth.impl.HookFixture.config;
import static dev.ferry.plugin.auth.impl.HookFixture.request;
import static dev.ferry.plugin.auth.impl.HookFixture.writeUsers;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.plugin.auth.impl.HookFixture.RecordingHasher;
import dev.ferry.testing.LeakCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Requests through {@link BasicAuthHook}: challenges, successes, the cache, its threads and the throttle. */
public class BasicAuthHookTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String CHALLENGE = "Basic realm=\"ferry\", charset=\"UTF-8\"";

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final FakeClock clock = new FakeClock();
    private final RecordingHasher hasher = new RecordingHasher();
    private Path users;
    private BasicAuthHook hook;

    @Before
    public void writeUsersFile() throws Exception {
        users = writeUsers(folder.getRoot().toPath().resolve("ferry-users"), "alice", "wonderland",
                "J\u00fcrgen", "pa:ss \u20ac");
    }

    @After
    public void deactivate() {
        if (hook != null) {
            hook.deactivate();
        }
    }

    private BasicAuthHook activate(Object... keyAndValue) {
        Object[] withFile = new Object[keyAndValue.length + 2];
        withFile[0] = "usersFile";
        withFile[1] = "ferry-users";
        System.arraycopy(keyAndValue, 0, withFile, 2, keyAndValue.length);
        hook = new BasicAuthHook(config(withFile), clock, hasher, folder.getRoot().toPath());
        return hook;
    }

    private static void assertChallenge(Verdict verdict) {
        assertEquals(verdict.toString(), Verdict.Kind.CHALLENGE, verdict.kind());
        assertEquals(407, verdict.status());
        assertEquals("proxy authentication required", verdict.text());
        assertEquals(1, verdict.headerEdits().size());
        HeaderEdit edit = verdict.headerEdits().get(0);
        assertEquals("Proxy-Authenticate", edit.name());
        assertEquals(CHALLENGE, edit.value());
    }

    private static void assertChallenge(String message, Verdict verdict) {
        assertEquals(message, Verdict.Kind.CHALLENGE, verdict.kind());
    }

    private static void assertTooMany(Verdict verdict, String address) {
        assertEquals(verdict.toString(), Verdict.Kind.DENY, verdict.kind());
        assertEquals(429, verdict.status());
        assertEquals(ProxyErrorType.HTTP_REQUEST_DENIED, verdict.errorType());
        assertEquals("too many failed authentication attempts from " + address + "; retry later", verdict.text());
    }

    @Test
    public void noCredentialsOrAnotherSchemeIsChallengedWithoutCountingAFailure() throws Exception {
        activate("maxFailures", 1);

        assertChallenge(await(hook.onRequest(request(null))));
        assertChallenge(await(hook.onRequest(request("Bearer abc"))));
        assertChallenge(await(hook.onRequest(request("Negotiate abc"))));

        assertEquals(0, hasher.verifications.get());
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "wonderland")))).user());
    }

    @Test
    public void validCredentialsProceedWithTheUserAndWithoutProxyAuthorization() throws Exception {
        activate();
        ClientRequest request = request(basic("alice", "wonderland"));

        Verdict verdict = await(hook.onRequest(request));

        assertEquals(Verdict.Kind.PROCEED, verdict.kind());
        assertEquals("alice", verdict.user());
        assertEquals(List.of("REMOVE Proxy-Authorization"), List.of(verdict.headerEdits().get(0).toString()));
        assertFalse(request.headers().with(verdict.headerEdits()).contains("proxy-authorization"));
        assertEquals("example.org", request.headers().with(verdict.headerEdits()).get("Host"));
    }

    @Test
    public void utf8NamesAndAColonInThePasswordAuthenticate() throws Exception {
        activate();

        assertEquals("J\u00fcrgen", await(hook.onRequest(request(basic("J\u00fcrgen", "pa:ss \u20ac")))).user());
        assertChallenge(await(hook.onRequest(request(basic("J\u00fcrgen", "pa")))));
    }

    @Test
    public void aWrongPasswordOrUnknownUserOrMalformedHeaderIsChallengedAndCounted() throws Exception {
        activate("maxFailures", 10);

        assertChallenge(await(hook.onRequest(request(basic("alice", "wrong")))));
        assertChallenge(await(hook.onRequest(request(basic("mallory", "wonderland")))));
        assertChallenge(await(hook.onRequest(request("Basic not*base64"))));
        assertChallenge(await(hook.onRequest(request("Basic YWxpY2U=")))); // "alice": no colon

        assertEquals("an unknown user costs a hash too, so its timing tells nothing", 2,
                hasher.verifications.get());
    }

    @Test
    public void aCacheMissIsVerifiedOnAPoolThreadAndAHitCompletesOnTheCaller() throws Exception {
        activate();
        String header = basic("alice", "wonderland");

        assertEquals("alice", await(hook.onRequest(request(header))).user());
        assertEquals(1, hasher.threads.size());
        Thread verifier = hasher.threads.get(0);
        assertNotSame(Thread.currentThread(), verifier);
        assertTrue(verifier.getName(), verifier.getName().startsWith("ferry-auth-verify-"));

        CompletableFuture<Verdict> hit = hook.onRequest(request("http", "10.0.0.2", header)).toCompletableFuture();

        assertTrue("a cache hit is answered at once, on the calling thread", hit.isDone());
        assertEquals("alice", hit.get().user());
        assertEquals(1, hasher.verifications.get());
    }

    @Test
    public void aFailureIsNeverCachedAndTheCacheEntryExpires() throws Exception {
        activate("maxFailures", 10);

        assertChallenge(await(hook.onRequest(request(basic("alice", "wrong")))));
        assertChallenge(await(hook.onRequest(request(basic("alice", "wrong")))));
        assertEquals(2, hasher.verifications.get());

        await(hook.onRequest(request(basic("alice", "wonderland"))));
        clock.advance(4, TimeUnit.MINUTES);
        await(hook.onRequest(request(basic("alice", "wonderland"))));
        assertEquals(3, hasher.verifications.get());
        clock.advance(2, TimeUnit.MINUTES);
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "wonderland")))).user());
        assertEquals("verified again after 5 minutes", 4, hasher.verifications.get());
    }

    @Test
    public void anAddressThatFailedMaxFailuresTimesGets429WithoutVerifyingUntilTheWindowPasses() throws Exception {
        activate("maxFailures", 3, "failureWindowSeconds", 60);

        for (int i = 0; i < 3; i++) {
            assertChallenge(await(hook.onRequest(request(basic("alice", "guess" + i)))));
        }
        assertEquals(3, hasher.verifications.get());

        assertTooMany(await(hook.onRequest(request(basic("alice", "guess3")))), "10.0.0.1");
        assertTooMany(await(hook.onRequest(request(basic("alice", "wonderland")))), "10.0.0.1");
        assertTooMany(await(hook.onRequest(request("Basic garbage!"))), "10.0.0.1");
        assertEquals("no hashing for a refused address", 3, hasher.verifications.get());
        assertEquals("another address is not refused", "alice",
                await(hook.onRequest(request("http", "10.0.0.2", basic("alice", "wonderland")))).user());
        assertChallenge(await(hook.onRequest(request(null))));

        clock.advance(59, TimeUnit.SECONDS);
        assertTooMany(await(hook.onRequest(request(basic("alice", "x")))), "10.0.0.1");
        clock.advance(1, TimeUnit.SECONDS);
        assertChallenge(await(hook.onRequest(request(basic("alice", "once more")))));
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "wonderland")))).user());
    }

    @Test
    public void failuresSlideOutOfTheWindowOneByOne() throws Exception {
        activate("maxFailures", 2, "failureWindowSeconds", 10);

        assertChallenge(await(hook.onRequest(request("Basic bad!"))));
        clock.advance(6, TimeUnit.SECONDS);
        assertChallenge(await(hook.onRequest(request("Basic bad!"))));
        assertTooMany(await(hook.onRequest(request("Basic bad!"))), "10.0.0.1");
        clock.advance(4, TimeUnit.SECONDS);
        assertChallenge("the first failure left the window", await(hook.onRequest(request("Basic bad!"))));
        assertTooMany(await(hook.onRequest(request("Basic bad!"))), "10.0.0.1");
    }

    @Test
    public void onlyTheListedListenersAreChecked() throws Exception {
        activate("listeners", new String[] {"public", " ", "edge-1, edge-2"});

        assertEquals(Verdict.Kind.PROCEED, await(hook.onRequest(request("http", "10.0.0.1", null))).kind());
        assertNull(await(hook.onRequest(request("http", "10.0.0.1", null))).user());
        for (String listener : new String[] {"public", "edge-1", "edge-2"}) {
            assertChallenge(await(hook.onRequest(request(listener, "10.0.0.1", null))));
        }
        assertEquals("alice",
                await(hook.onRequest(request("public", "10.0.0.1", basic("alice", "wonderland")))).user());
    }

    @Test
    public void everyListenerIsCheckedByDefault() throws Exception {
        activate();

        assertChallenge(await(hook.onRequest(request("http", "10.0.0.1", null))));
        assertChallenge(await(hook.onRequest(request("anything", "10.0.0.1", null))));
    }

    @Test
    public void theRealmIsConfigurable() throws Exception {
        activate("realm", "Corp proxy");

        Verdict verdict = await(hook.onRequest(request(null)));
        assertEquals("Basic realm=\"Corp proxy\", charset=\"UTF-8\"", verdict.headerEdits().get(0).value());
    }

    @Test
    public void aMissingUsersFileFailsActivationNamingTheSettingAndPath() {
        String message = assertThrows(IllegalArgumentException.class, () -> new BasicAuthHook(
                config("usersFile", "etc/nowhere"), clock, hasher, folder.getRoot().toPath())).getMessage();

        assertTrue(message, message.startsWith("usersFile: "));
        assertTrue(message, message.contains(folder.getRoot().toPath().resolve("etc/nowhere").toString()));
    }

    @Test
    public void badValuesFailActivationNamingTheSetting() {
        assertTrue(activationError("realm", "say \"hi\"").startsWith("realm "));
        assertTrue(activationError("realm", "").startsWith("realm is empty"));
        assertTrue(activationError("maxFailures", 0).startsWith("maxFailures is 0"));
        assertTrue(activationError("failureWindowSeconds", -1).startsWith("failureWindowSeconds is -1"));
        assertTrue(activationError("verifyThreads", 0).startsWith("verifyThreads is 0"));
        assertTrue(activationError("usersFile", " ").startsWith("usersFile is empty"));
    }

    private String activationError(String key, Object value) {
        return assertThrows(IllegalArgumentException.class, () -> new BasicAuthHook(
                config("usersFile", users.toString(), key, value), clock, hasher, folder.getRoot().toPath()))
                .getMessage();
    }

    @Test
    public void theDefaultsAreThoseDocumented() {
        BasicAuthHook.Config defaults = config();

        assertEquals("etc/ferry-users", defaults.usersFile());
        assertEquals("ferry", defaults.realm());
        assertEquals(0, defaults.listeners().length);
        assertEquals(5, defaults.maxFailures());
        assertEquals(60, defaults.failureWindowSeconds());
        assertEquals(2, defaults.verifyThreads());
        assertEquals(2000, defaults.service_ranking());
    }
}
