package dev.ferry.fetch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** A wrong command line, or a setting a component refuses, is exit status 2 with the reason and the usage. */
public class UsageErrorTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void unknownOptionPrintsTheReasonAndTheUsage() {
        FetchRun run = FetchRun.of("--frobnicate", "http://127.0.0.1:1/");

        assertEquals(2, run.exitStatus);
        assertTrue(run.stderr, run.stderr.startsWith("ferry-fetch: unknown option '--frobnicate'\nusage: "));
        assertEquals(0, run.stdout.length);
    }

    @Test
    public void proxyRulesTheResolverRefusesAreAUsageError() {
        FetchRun run = FetchRun.of("--proxy-rules", "gopher://p:70", "http://127.0.0.1:1/");

        assertEquals(run.toString(), 2, run.exitStatus);
        assertTrue(run.stderr, run.stderr.startsWith("ferry-fetch: --proxy-rules/--bypass: "));
        assertTrue(run.stderr, run.stderr.contains("gopher"));
    }

    @Test
    public void aMissingPacFileIsAUsageError() {
        FetchRun run = FetchRun.of("--pac", "/no/such/file.pac", "http://127.0.0.1:1/");

        assertEquals(run.toString(), 2, run.exitStatus);
        assertTrue(run.stderr, run.stderr.startsWith(
                "ferry-fetch: --pac: '/no/such/file.pac' is neither a URL nor a readable file\n"));
    }

    @Test
    public void helpGoesToStdoutWithStatusZero() {
        FetchRun run = FetchRun.of("-h");

        assertEquals(0, run.exitStatus);
        assertTrue(run.body(), run.body().startsWith("usage: ferry-fetch [options] URL\n"));
    }
}
