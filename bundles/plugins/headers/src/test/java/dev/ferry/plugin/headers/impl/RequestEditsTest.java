package dev.ferry.plugin.headers.impl;

import static dev.ferry.plugin.headers.impl.HookFixture.config;
import static dev.ferry.plugin.headers.impl.HookFixture.connect;
import static dev.ferry.plugin.headers.impl.HookFixture.get;
import static dev.ferry.plugin.headers.impl.HookFixture.requestEdits;
import static dev.ferry.plugin.headers.impl.HookFixture.rules;
import static dev.ferry.plugin.headers.impl.HookFixture.verdict;
import static org.junit.Assert.assertEquals;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Headers;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.testing.LeakCheck;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** {@link HeaderRulesHook#onRequest}: the rules' edits in order, then X-Forwarded-For, then Forwarded. */
public class RequestEditsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String[] RULES = rules("set X-Team: blue", "add Via: 1.1 ferry", "remove Cookie");

    private static HeaderRulesHook hook(Object... keysAndValues) {
        return new HeaderRulesHook(config(keysAndValues));
    }

    private static HeaderRulesHook forwarding() {
        return hook("xForwardedFor", true, "forwarded", true);
    }

    /** The request's headers once the hook's edits are applied, as the engine applies them. */
    private static Headers edited(HeaderRulesHook hook, ClientRequest.Builder request) {
        ClientRequest built = request.build();
        return built.headers().with(verdict(hook.onRequest(built)).headerEdits());
    }

    private static ClientRequest.Builder from(String client, ClientRequest.Builder request) {
        return request.client(new InetSocketAddress(client, 40000));
    }

    @Test
    public void aGetGetsTheRulesEditsInOrder() {
        assertEquals(List.of("SET X-Team: blue", "ADD Via: 1.1 ferry", "REMOVE Cookie"),
                requestEdits(hook("requestHeaders", RULES), get("Cookie", "a=1", "Via", "1.0 corp")));

        Headers after = edited(hook("requestHeaders", RULES), get("Cookie", "a=1", "Via", "1.0 corp", "X-Team", "red"));
        assertEquals(List.of("1.0 corp", "1.1 ferry"), after.getAll("Via"));
        assertEquals(List.of("blue"), after.getAll("X-Team"));
        assertEquals(null, after.get("Cookie"));
    }

    @Test
    public void theRulesComeFirstThenXForwardedForThenForwarded() {
        HeaderRulesHook hook = hook("requestHeaders", RULES, "xForwardedFor", true, "forwarded", true);

        assertEquals(List.of("SET X-Team: blue", "ADD Via: 1.1 ferry", "REMOVE Cookie",
                "SET X-Forwarded-For: 192.0.2.7", "SET Forwarded: for=192.0.2.7;proto=http"),
                requestEdits(hook, get()));
    }

    @Test
    public void aConnectIsLeftAlone() {
        HeaderRulesHook hook = hook("requestHeaders", RULES, "xForwardedFor", true, "forwarded", true);

        Verdict verdict = verdict(hook.onRequest(connect("X-Forwarded-For", "10.0.0.1").build()));

        assertEquals(Verdict.proceed().toString(), verdict.toString());
        assertEquals(List.of(), verdict.headerEdits());
    }

    @Test
    public void xForwardedForIsSetWhenAbsent() {
        assertEquals(List.of("SET X-Forwarded-For: 192.0.2.7"), requestEdits(hook("xForwardedFor", true), get()));
    }

    @Test
    public void xForwardedForIsAppendedToWhatEarlierProxiesWrote() {
        assertEquals(List.of("SET X-Forwarded-For: 203.0.113.9, 192.0.2.7"),
                requestEdits(hook("xForwardedFor", true), get("X-Forwarded-For", "203.0.113.9")));

        Headers after = edited(hook("xForwardedFor", "true"), get("x-forwarded-for", "198.51.100.1, 203.0.113.9",
                "Accept", "*/*", "X-Forwarded-For", "10.1.2.3"));
        assertEquals("one line, in order", List.of("198.51.100.1, 203.0.113.9, 10.1.2.3, 192.0.2.7"),
                after.getAll("X-Forwarded-For"));
    }

    @Test
    public void xForwardedForOfAnIpv6ClientIsTheBareAddress() {
        assertEquals(List.of("SET X-Forwarded-For: 2001:db8::1"),
                requestEdits(hook("xForwardedFor", true), from("2001:db8:0:0:0:0:0:1", get())));
    }

    @Test
    public void forwardedNamesAnIpv4ClientAsItIs() {
        assertEquals(List.of("SET Forwarded: for=192.0.2.7;proto=http"), requestEdits(hook("forwarded", true), get()));
    }

    @Test
    public void forwardedQuotesAndBracketsAnIpv6Client() {
        assertEquals(List.of("SET Forwarded: for=\"[2001:db8::1]\";proto=http"),
                requestEdits(hook("forwarded", true), from("2001:db8::1", get())));
        assertEquals(List.of("SET Forwarded: for=\"[2001:db8::1:0:0:1]\";proto=http"),
                requestEdits(hook("forwarded", true), from("2001:0db8:0:0:1:0:0:1", get())));
    }

    @Test
    public void forwardedIsAppendedAfterACommaToWhatEarlierProxiesWrote() {
        assertEquals(List.of("SET Forwarded: for=198.51.100.17;by=203.0.113.60, for=\"[2001:db8::7]\";proto=http"),
                requestEdits(hook("forwarded", true), from("2001:db8::7",
                        get("Forwarded", "for=198.51.100.17;by=203.0.113.60"))));

        Headers after = edited(forwarding(), get("Forwarded", "for=a", "forwarded", "for=b"));
        assertEquals(List.of("for=a, for=b, for=192.0.2.7;proto=http"), after.getAll("Forwarded"));
        assertEquals(List.of("192.0.2.7"), after.getAll("X-Forwarded-For"));
    }

    @Test
    public void anHttpsTargetIsProtoHttps() {
        ClientRequest.Builder request = get().target("https://example.com/", "example.com", 443);
        assertEquals(List.of("SET Forwarded: for=192.0.2.7;proto=https"), requestEdits(hook("forwarded", true),
                request));
    }

    @Test
    public void theAppendedValuesFollowWhatTheRulesLeft() {
        HeaderRulesHook removing = hook("requestHeaders", rules("remove X-Forwarded-For", "remove Forwarded"),
                "xForwardedFor", true, "forwarded", true);
        Headers after = edited(removing, get("X-Forwarded-For", "10.0.0.1", "Forwarded", "for=10.0.0.1"));
        assertEquals(List.of("192.0.2.7"), after.getAll("X-Forwarded-For"));
        assertEquals(List.of("for=192.0.2.7;proto=http"), after.getAll("Forwarded"));

        HeaderRulesHook setting = hook("requestHeaders", rules("set X-Forwarded-For: 10.9.9.9"),
                "xForwardedFor", true);
        after = edited(setting, get("X-Forwarded-For", "10.0.0.1"));
        assertEquals(List.of("10.9.9.9, 192.0.2.7"), after.getAll("X-Forwarded-For"));
    }

    @Test
    public void anUnresolvedClientIsNamedByItsHostString() {
        ClientRequest.Builder byName = get().client(InetSocketAddress.createUnresolved("client.example", 40000));
        assertEquals(List.of("SET X-Forwarded-For: client.example", "SET Forwarded: for=client.example;proto=http"),
                requestEdits(forwarding(), byName));

        ClientRequest.Builder literal = get().client(InetSocketAddress.createUnresolved("[2001:db8::5]", 40000));
        assertEquals(List.of("SET X-Forwarded-For: 2001:db8::5", "SET Forwarded: for=\"[2001:db8::5]\";proto=http"),
                requestEdits(forwarding(), literal));
    }

    @Test
    public void withoutRulesOrForwardingARequestIsLeftAsItIs() {
        HeaderRulesHook responsesOnly = hook("responseHeaders", rules("remove Server"));
        assertEquals(List.of(), requestEdits(responsesOnly, get("X-Forwarded-For", "10.0.0.1")));
    }
}
