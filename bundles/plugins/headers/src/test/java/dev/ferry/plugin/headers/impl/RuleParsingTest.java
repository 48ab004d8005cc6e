package dev.ferry.plugin.headers.impl;

import static dev.ferry.plugin.headers.impl.HookFixture.config;
import static dev.ferry.plugin.headers.impl.HookFixture.rules;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The {@code requestHeaders} and {@code responseHeaders} settings: what parses, and what each mistake is told as. */
public class RuleParsingTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static String parsed(String entry) {
        return HeaderRule.parse("requestHeaders", 0, entry).edit().toString();
    }

    /** The message for {@code entries} as {@code requestHeaders}, read as a whole configuration. */
    private static String error(String... entries) {
        return assertThrows(IllegalArgumentException.class,
                () -> HeaderPolicy.of(config("requestHeaders", entries))).getMessage();
    }

    @Test
    public void setAddAndRemoveParse() {
        assertEquals("SET X-Foo: bar", parsed("set X-Foo: bar"));
        assertEquals("ADD X-Foo: bar", parsed("add X-Foo: bar"));
        assertEquals("REMOVE Server", parsed("remove Server"));
    }

    @Test
    public void spacesAndTabsAroundAreDroppedAndTheWordIsReadWithoutRegardToCase() {
        assertEquals("SET X-Foo: bar baz", parsed("  SET\tX-Foo :bar baz \t"));
        assertEquals("ADD Via: 1.1 ferry", parsed("Add   Via:   1.1 ferry"));
        assertEquals("REMOVE x-powered-by", parsed("\tRemove  x-powered-by "));
    }

    @Test
    public void aValueMayHoldColonsAndMayBeEmpty() {
        assertEquals("SET Link: <http://example.com/>; rel=next", parsed("set Link: <http://example.com/>; rel=next"));
        assertEquals("SET X-Empty: ", parsed("set X-Empty:"));
    }

    @Test
    public void blankEntriesAreSkippedAndIndexesStayThoseOfTheSetting() {
        HeaderPolicy policy = HeaderPolicy.of(config("requestHeaders", rules("", "  ", "set X-A: 1")));
        assertTrue(policy.hasWork());
        assertEquals("requestHeaders[2] 'bogus': starts with 'bogus'; a rule is 'set Name: value', 'add Name: value'"
                + " or 'remove Name'", error("", "set X-A: 1", "bogus"));
    }

    @Test
    public void aSetOrAddWithoutNameAndValueIsNamed() {
        assertEquals("requestHeaders[1] 'set X-Foo': a set rule needs 'Name: value'", error("add X-A: 1", "set X-Foo"));
        assertEquals("requestHeaders[0] 'add X-Foo bar': an add rule needs 'Name: value'", error("add X-Foo bar"));
        assertEquals("requestHeaders[0] 'set': a set rule needs 'Name: value'", error("set"));
        assertEquals("requestHeaders[0] 'set : bar': a set rule needs 'Name: value'", error("set : bar"));
    }

    @Test
    public void aRemoveTakesOneNameOnly() {
        assertEquals("requestHeaders[0] 'remove': a remove rule needs 'Name'", error("remove"));
        assertEquals("requestHeaders[0] 'remove X-Foo: bar': a remove rule takes a header name only: 'remove Name'",
                error("remove X-Foo: bar"));
        assertEquals("requestHeaders[0] 'remove X-A X-B': a remove rule takes a header name only: 'remove Name'",
                error("remove X-A X-B"));
    }

    @Test
    public void anUnknownWordIsNamed() {
        assertEquals("requestHeaders[0] 'append X-Foo: bar': starts with 'append'; a rule is 'set Name: value',"
                + " 'add Name: value' or 'remove Name'", error("append X-Foo: bar"));
        assertEquals("requestHeaders[0] 'X-Foo: bar': starts with 'X-Foo:'; a rule is 'set Name: value',"
                + " 'add Name: value' or 'remove Name'", error("X-Foo: bar"));
    }

    @Test
    public void aNameMustBeAToken() {
        assertEquals("requestHeaders[0] 'set X Foo: bar': 'X Foo' is not a header name (an RFC 9110 token)",
                error("set X Foo: bar"));
        assertEquals("requestHeaders[0] 'remove X(Foo)': 'X(Foo)' is not a header name (an RFC 9110 token)",
                error("remove X(Foo)"));
        assertEquals("requestHeaders[0] 'add X-Fö: 1': 'X-Fö' is not a header name (an RFC 9110 token)",
                error("add X-Fö: 1"));
    }

    @Test
    public void aValueWithCrLfOrNulIsRefusedAndShownOnOneLine() {
        assertEquals("requestHeaders[0] 'set X-Foo: a\\r\\nX-Injected: 1': a header value must not contain CR, LF or"
                + " NUL", error("set X-Foo: a\r\nX-Injected: 1"));
        assertEquals("requestHeaders[0] 'add X-Foo: a\\n': a header value must not contain CR, LF or NUL",
                error("add X-Foo: a\n"));
        assertEquals("requestHeaders[0] 'set X-Foo: a\\u0000b': a header value must not contain CR, LF or NUL",
                error("set X-Foo: a\u0000b"));
    }

    @Test
    public void aValueWithOtherControlsOrBeyondLatin1IsRefused() {
        assertEquals("requestHeaders[0] 'set X-Foo: a\\u0007': a header value must not contain control characters",
                error("set X-Foo: a\u0007"));
        assertEquals("requestHeaders[0] 'set X-Foo: 5€': a header value must be ISO-8859-1 (found '€')",
                error("set X-Foo: 5€"));
        assertEquals("SET X-Foo: a\tb é", parsed("set X-Foo: a\tb é"));
    }

    @Test
    public void theHeadersTheProxyOwnsAreRefusedSayingSo() {
        List<String> owned = List.of("Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
                "Proxy-Connection", "Upgrade", "TE", "Trailer", "Host", "Proxy-Authorization", "Proxy-Authenticate");
        for (String name : owned) {
            for (String entry : new String[] {"set " + name + ": x", "add " + name + ": x", "remove " + name,
                    "remove " + name.toLowerCase()}) {
                String message = error(entry);
                String shownName = entry.substring(entry.indexOf(' ') + 1).replace(": x", "");
                assertTrue(message, message.startsWith("requestHeaders[0] '" + entry + "': '" + shownName
                        + "' is the proxy's own header ("));
                assertTrue(message, message.endsWith(") and cannot be configured"));
            }
        }
        assertEquals("requestHeaders[0] 'set Host: example.org': 'Host' is the proxy's own header (set from the"
                + " request's target) and cannot be configured", error("set Host: example.org"));
        assertEquals("requestHeaders[0] 'remove content-length': 'content-length' is the proxy's own header (it"
                + " frames the message) and cannot be configured", error("remove content-length"));
        assertEquals("requestHeaders[0] 'remove TE': 'TE' is the proxy's own header (hop-by-hop, managed per"
                + " connection) and cannot be configured", error("remove TE"));
        // not owned: names that merely start like one
        assertEquals("SET Content-Language: en", parsed("set Content-Language: en"));
        assertEquals("REMOVE Hostname", parsed("remove Hostname"));
    }

    @Test
    public void theResponseSettingIsNamedInItsMessages() {
        String message = assertThrows(IllegalArgumentException.class, () -> HeaderPolicy.of(config(
                "requestHeaders", rules("set X-A: 1"), "responseHeaders", rules("remove Server", "remove"))))
                .getMessage();
        assertEquals("responseHeaders[1] 'remove': a remove rule needs 'Name'", message);
        assertEquals("responseHeaders[0] 'set Transfer-Encoding: chunked': 'Transfer-Encoding' is the proxy's own"
                + " header (it frames the message) and cannot be configured", assertThrows(
                        IllegalArgumentException.class, () -> HeaderPolicy.of(config("responseHeaders",
                                rules("set Transfer-Encoding: chunked")))).getMessage());
    }

    @Test
    public void aCredentialsValueIsNeverShown() {
        String message = error("set Authorization: Bearer s3cret\n");
        assertEquals("requestHeaders[0] 'set Authorization: (secret, 14 characters)': a header value must not contain"
                + " CR, LF or NUL", message);
        HeaderPolicy policy = HeaderPolicy.of(config("requestHeaders", rules("set Authorization: Bearer s3cret",
                "set X-Team: blue")));
        assertFalse(policy.toString(), policy.toString().contains("s3cret"));
        assertTrue(policy.toString(), policy.toString().contains("set Authorization: (secret, 13 characters)"));
        assertTrue(policy.toString(), policy.toString().contains("set X-Team: blue"));
    }

    @Test
    public void theDefaultsHaveNothingToDo() {
        HeaderPolicy defaults = HeaderPolicy.of(config());
        assertFalse(defaults.hasWork());
        assertTrue(HeaderPolicy.of(config("responseHeaders", rules("remove Server"))).hasWork());
        assertTrue(HeaderPolicy.of(config("xForwardedFor", true)).hasWork());
        assertTrue(HeaderPolicy.of(config("forwarded", "true")).hasWork());
        assertFalse(HeaderPolicy.of(config("requestHeaders", rules(" ", ""))).hasWork());
    }

    @Test
    public void activationWithABadConfigurationFails() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> new HeaderRulesHook(config("requestHeaders", rules("set X-A: 1", "set X-Foo")))).getMessage();
        assertEquals("dev.ferry.headers: requestHeaders[1] 'set X-Foo': a set rule needs 'Name: value'", message);
    }
}
