package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.spdy.client.SpdyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Any bundle can be swapped and any configuration edited while the proxy carries traffic, invisibly to clients —
 * counted. A copy of the distribution (64 MiB heap, paranoid leak detection) carries a steady mixed load
 * ({@link MixedLoad}: keep-alive GETs, CONNECT tunnels plain and inside TLS, SPDY GETs, HTTP/2 GETs) while {@link #STEPS} run one
 * after the other, 2 s of load apart: every shipped config file edited, every Ferry bundle updated, the optional
 * bundles stopped and started, the plain listener moved to another port. A table shows per step the requests, the
 * failures by kind and the GET latency (p99) before and during the step; the test fails on any failure and on any
 * leak Netty reported.
 */
public class HotSwapIT {

    /** The steps, in order: add or remove one in one line. */
    private static final List<SwapStep> STEPS = List.of(
            // The ACL's hook registers again with the new ranking: exchanges move to the new chain.
            SwapStep.editConfig("dev.ferry.acl.cfg", "service.ranking", "I\"1001\""),
            SwapStep.editConfig("dev.ferry.connector.cfg", "maxQueuedResolutions", "2048"),
            // Every exchange's access log line goes through the writer whose round changes.
            SwapStep.editConfig("dev.ferry.engine.accesslog.cfg", "roundMillis", "20"),
            // With X-Forwarded-For on, the headers plugin registers its hook: every later exchange passes it.
            SwapStep.editConfig("dev.ferry.headers.cfg", "xForwardedFor", "B\"true\""),
            SwapStep.editConfig("dev.ferry.http1.cfg", "maxInitialLineLength", "16384"),
            SwapStep.editConfig("dev.ferry.listener-http.cfg", "idleTimeoutSeconds", "150"),
            SwapStep.editConfig("dev.ferry.listener-https.cfg", "idleTimeoutSeconds", "150"),
            SwapStep.editConfig("dev.ferry.pool.cfg", "waitTimeoutMillis", "65000"),
            SwapStep.editConfig("dev.ferry.resolver.cfg", "bypass", "*.hotswap.invalid"),
            SwapStep.editConfig("dev.ferry.resolver.retry.cfg", "badProxyRetrySeconds", "360"),
            SwapStep.editConfig("dev.ferry.spdy.cfg", "maxConcurrentStreams", "128"),
            SwapStep.editConfig("dev.ferry.h2.cfg", "maxConcurrentStreams", "128"),
            SwapStep.editConfig("dev.ferry.tls.cfg", "handshakeTimeoutMillis", "15000"),
            SwapStep.editConfig("dev.ferry.transport.cfg", "resolverThreads", "5"),
            SwapStep.editConfig("dev.ferry.tunnel.cfg", "idleTimeoutSeconds", "900"),
            // The listening sockets themselves move to the new transport, with the connections in their queues.
            SwapStep.updateBundle("dev.ferry.transport"),
            SwapStep.updateBundle("dev.ferry.tls"),
            SwapStep.updateBundle("dev.ferry.http1"),
            SwapStep.updateBundle("dev.ferry.spdy"),
            SwapStep.updateBundle("dev.ferry.h2"),
            SwapStep.updateBundle("dev.ferry.tunnel"),
            SwapStep.updateBundle("dev.ferry.resolver"),
            SwapStep.updateBundle("dev.ferry.pac"),
            SwapStep.updateBundle("dev.ferry.pool"),
            SwapStep.updateBundle("dev.ferry.engine"),
            SwapStep.updateBundle("dev.ferry.console"),
            SwapStep.updateBundle("dev.ferry.plugin-connect-headers"),
            // Every exchange of the load passes the ACL's hook: new exchanges take the new chain.
            SwapStep.updateBundle("dev.ferry.plugin-acl"),
            SwapStep.updateBundle("dev.ferry.plugin-headers"),
            SwapStep.stopStartBundle("dev.ferry.spdy"),
            SwapStep.stopStartBundle("dev.ferry.h2"),
            SwapStep.stopStartBundle("dev.ferry.pac"),
            SwapStep.stopStartBundle("dev.ferry.plugin-connect-headers"),
            SwapStep.movePlainListener("dev.ferry.listener-http.cfg"));

    private static final long WARM_UP_MILLIS = 3_000;
    private static final long LOAD_BETWEEN_STEPS_MILLIS = 2_000;
    /** Steps not begun by then are reported as not run (each failing the test), so the test stays bounded. */
    private static final long STEPS_BUDGET_SECONDS = 140;
    private static final long LOAD_MAX_SECONDS = STEPS_BUDGET_SECONDS + 60;

    @Test
    public void everySwapAndEditUnderLoadIsInvisibleToClients() throws Exception {
        try (Resources resources = new Resources()) {
            TestOrigin origin = resources.add(new TestOrigin(null));
            DigestEchoTarget target = resources.add(new DigestEchoTarget());
            SpdyClient spdyClient = resources.add(new SpdyClient(2));
            FerryProcess ferry = resources.add(FerryProcess.start("-Xmx64m", Map.of()));
            assertEveryShippedConfigFileIsEdited(ferry.home);
            ConsoleStatus consoleStatus = new ConsoleStatus(ferry);
            consoleStatus.json();
            ProxyEndpoints endpoints = new ProxyEndpoints(ferry.httpPort, ferry.httpsPort);
            HotSwaps swaps = new HotSwaps(ferry, new ConsoleBundles(consoleStatus), endpoints);
            swaps.componentStates();
            LoadLedger ledger = new LoadLedger();
            SpdyGetLoop spdy = new SpdyGetLoop(spdyClient, ferry.httpsPort, ledger);
            H2GetLoop h2 = resources.add(new H2GetLoop(ferry.httpsPort, ledger));
            MixedLoad load = resources.add(
                    new MixedLoad(endpoints, ledger, origin, target, spdy, h2, LOAD_MAX_SECONDS));

            List<SwapReport.Window> windows = new ArrayList<>();
            long loadStart = System.nanoTime();
            load.start();
            Thread.sleep(WARM_UP_MILLIS);
            long warmedUp = System.nanoTime();
            windows.add(new SwapReport.Window("(warm-up, no change)", loadStart, warmedUp, warmedUp));
            runSteps(swaps, ledger, windows);
            long drainStart = System.nanoTime();
            load.close();
            windows.add(new SwapReport.Window("(drain: load stopped, in-flight finished)", drainStart,
                    System.nanoTime(), Long.MAX_VALUE));
            spdy.violations().forEach(v -> ledger.failedStep("spdy-violation", v));
            h2.violations().forEach(v -> ledger.failedStep("h2-violation", v));

            SwapReport report = new SwapReport(windows, ledger);
            long leaks = leakReports(ferry, endpoints, origin);
            String summary = "HotSwapIT: " + report.totalRequests() + " requests/tunnels, "
                    + report.totalFailures() + " failures, " + spdy.sessionsOpened() + " SPDY sessions, "
                    + h2.connectionsOpened() + " HTTP/2 connections, " + leaks
                    + " LEAK reports (proxy home " + ferry.home + ")\n" + report.table() + "\n" + report.details();
            System.out.println(summary);
            assertEquals(summary, 0, report.totalFailures());
            ferry.assertNoLeaks();
        }
    }

    /** Runs {@link #STEPS} in turn, each followed by 2 s of load; a step that does not apply is a failure. */
    private static void runSteps(HotSwaps swaps, LoadLedger ledger, List<SwapReport.Window> windows)
            throws InterruptedException {
        long budgetEnd = System.nanoTime() + STEPS_BUDGET_SECONDS * 1_000_000_000L;
        for (SwapStep step : STEPS) {
            long start = System.nanoTime();
            if (start > budgetEnd) {
                ledger.failedStep("step-not-run", step.name() + ": the steps' time budget of "
                        + STEPS_BUDGET_SECONDS + " s was used up");
            } else {
                try {
                    step.action().apply(swaps);
                } catch (Exception | AssertionError e) {
                    ledger.failedStep("step-not-applied", step.name() + ": " + LoadLedger.describe(e));
                }
            }
            long applied = System.nanoTime();
            Thread.sleep(LOAD_BETWEEN_STEPS_MILLIS);
            windows.add(new SwapReport.Window(step.name(), start, applied, System.nanoTime()));
        }
    }

    /**
     * Collects garbage in the proxy and sends a few requests (paranoid leak detection reports on later
     * allocations), then counts the LEAK reports in its output and log.
     */
    private static long leakReports(FerryProcess ferry, ProxyEndpoints endpoints, TestOrigin origin)
            throws Exception {
        ferry.collectGarbage();
        byte[] body = Patterns.stream(100_000).readAllBytes();
        try (KeepAliveGetClient client = new KeepAliveGetClient(endpoints, new LoadLedger())) {
            for (int i = 0; i < 5; i++) {
                client.get(origin.url("/bytes?n=100000"), body);
            }
        } catch (IOException e) {
            // only there to make leak detection report; the load's own failures are counted already
        }
        return (ferry.stdout() + ferry.log()).lines().filter(l -> l.contains("LEAK:")).count();
    }

    /** The config steps cover every {@code .cfg} file the distribution ships, so a new file needs a step. */
    private static void assertEveryShippedConfigFileIsEdited(Path home) throws Exception {
        Set<String> shipped;
        try (Stream<Path> files = Files.list(home.resolve("config"))) {
            shipped = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cfg"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> edited = STEPS.stream().map(SwapStep::configFile).filter(f -> f != null)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue("shipped config files without a step: shipped " + shipped + ", edited " + edited,
                edited.containsAll(shipped));
    }
}
