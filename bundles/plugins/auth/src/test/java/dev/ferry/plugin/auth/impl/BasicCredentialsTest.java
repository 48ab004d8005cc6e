package dev.ferry.plugin.auth.impl;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import dev.ferry.plugin.auth.impl.BasicCredentials.Kind;
import dev.ferry.testing.LeakCheck;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class BasicCredentialsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void userAndPasswordAreDecoded() {
        BasicCredentials credentials = BasicCredentials.parse("Basic " + base64("alice:secret"));

        assertEquals(Kind.CREDENTIALS, credentials.kind());
        assertEquals("alice", credentials.user());
        assertArrayEquals("secret".toCharArray(), credentials.password());
        assertFalse(credentials.toString().contains("secret"));
    }

    @Test
    public void noHeaderOrAnotherSchemeIsNoAttempt() {
        assertEquals(Kind.NONE, BasicCredentials.parse(null).kind());
        assertEquals(Kind.NONE, BasicCredentials.parse("").kind());
        assertEquals(Kind.NONE, BasicCredentials.parse("Bearer abc.def").kind());
        assertEquals(Kind.NONE, BasicCredentials.parse("Digest username=\"alice\"").kind());
        assertEquals(Kind.NONE, BasicCredentials.parse("Basically " + base64("a:b")).kind());
    }

    @Test
    public void theSchemeIsCaseInsensitiveAndSurroundingWhiteSpaceIsTolerated() {
        for (String header : new String[] {"basic " + base64("a:b"), "BASIC " + base64("a:b"),
            "  Basic \t " + base64("a:b") + " \t", "Basic\t" + base64("a:b")}) {
            BasicCredentials credentials = BasicCredentials.parse(header);
            assertEquals(header, Kind.CREDENTIALS, credentials.kind());
            assertEquals("a", credentials.user());
            assertArrayEquals("b".toCharArray(), credentials.password());
        }
    }

    @Test
    public void badBase64NoColonOrNoTokenIsMalformed() {
        assertEquals(Kind.MALFORMED, BasicCredentials.parse("Basic").kind());
        assertEquals(Kind.MALFORMED, BasicCredentials.parse("Basic   ").kind());
        assertEquals(Kind.MALFORMED, BasicCredentials.parse("Basic not*base64!").kind());
        assertEquals(Kind.MALFORMED, BasicCredentials.parse("Basic " + base64("alice")).kind());
        assertEquals(Kind.MALFORMED, BasicCredentials.parse("Basic " + base64("a:b") + " extra").kind());
        // 0xff is no UTF-8
        String notUtf8 = Base64.getEncoder().encodeToString(new byte[] {'a', ':', (byte) 0xff});
        assertEquals(Kind.MALFORMED, BasicCredentials.parse("Basic " + notUtf8).kind());
    }

    @Test
    public void aColonInThePasswordBelongsToThePassword() {
        BasicCredentials credentials = BasicCredentials.parse("Basic " + base64("user:pa:ss"));

        assertEquals("user", credentials.user());
        assertArrayEquals("pa:ss".toCharArray(), credentials.password());
    }

    @Test
    public void emptyUserOrPasswordAreCredentialsStill() {
        BasicCredentials noPassword = BasicCredentials.parse("Basic " + base64("alice:"));
        assertEquals(Kind.CREDENTIALS, noPassword.kind());
        assertEquals(0, noPassword.password().length);
        assertEquals("", BasicCredentials.parse("Basic " + base64(":pw")).user());
    }

    @Test
    public void utf8UserAndPasswordAreDecoded() {
        BasicCredentials credentials = BasicCredentials.parse("Basic " + base64("J\u00fcrgen:p\u00e4ss\u20ac"));

        assertEquals("J\u00fcrgen", credentials.user());
        assertArrayEquals("p\u00e4ss\u20ac".toCharArray(), credentials.password());
    }

    @Test
    public void wipeClearsThePassword() {
        BasicCredentials credentials = BasicCredentials.parse("Basic " + base64("a:secret"));
        char[] password = credentials.password();

        credentials.wipe();

        assertArrayEquals(new char[6], password);
    }
}
