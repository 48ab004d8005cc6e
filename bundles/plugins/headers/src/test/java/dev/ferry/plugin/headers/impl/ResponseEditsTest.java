package dev.ferry.plugin.headers.impl;

import static dev.ferry.plugin.headers.impl.HookFixture.config;
import static dev.ferry.plugin.headers.impl.HookFixture.connect;
import static dev.ferry.plugin.headers.impl.HookFixture.get;
import static dev.ferry.plugin.headers.impl.HookFixture.headers;
import static dev.ferry.plugin.headers.impl.HookFixture.rules;
import static dev.ferry.plugin.headers.impl.HookFixture.shown;
import static org.junit.Assert.assertEquals;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.ResponseHead;
import dev.ferry.testing.LeakCheck;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** {@link HeaderRulesHook#onResponse}: the response rules, and nothing else. */
public class ResponseEditsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final ResponseHead RESPONSE = ResponseHead.of(200, headers("Server", "Apache/2.4",
            "X-Powered-By", "PHP", "Cache-Control", "no-cache"));

    private static List<HeaderEdit> onResponse(HeaderRulesHook hook, ClientRequest.Builder request) {
        return hook.onResponse(request.build(), RESPONSE);
    }

    @Test
    public void theResponseRulesInOrder() {
        HeaderRulesHook hook = new HeaderRulesHook(config("responseHeaders", rules("remove Server",
                "set Strict-Transport-Security: max-age=31536000", "add Cache-Control: private", "remove X-Powered-By"),
                "requestHeaders", rules("set X-Team: blue"), "xForwardedFor", true, "forwarded", true));

        List<HeaderEdit> edits = onResponse(hook, get());

        assertEquals(List.of("REMOVE Server", "SET Strict-Transport-Security: max-age=31536000",
                "ADD Cache-Control: private", "REMOVE X-Powered-By"), shown(edits));
        assertEquals("applied as the engine does", "[Cache-Control=no-cache, Strict-Transport-Security="
                + "max-age=31536000, Cache-Control=private]", RESPONSE.headers().with(edits).toString());
    }

    @Test
    public void withoutResponseRulesNothing() {
        HeaderRulesHook hook = new HeaderRulesHook(config("requestHeaders", rules("set X-Team: blue"),
                "xForwardedFor", true));
        assertEquals(List.of(), onResponse(hook, get()));
    }

    @Test
    public void aTunnelIsLeftAlone() {
        HeaderRulesHook hook = new HeaderRulesHook(config("responseHeaders", rules("remove Server")));
        assertEquals(List.of(), onResponse(hook, connect()));
    }
}
