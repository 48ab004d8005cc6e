package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The connection pool as the console's status shows it: reuse of one keep-alive connection, a per-group limit (6
 * here, as a browser's; the rest wait), a pool partition per client address (or one for all clients of a listener with
 * {@code poolPartition=none}), and {@code connection_limit_reached} when a request waits longer than
 * {@code waitTimeoutMillis}. Each test has its own origin, so its pool entries are its
 * own.
 */
public class PoolLimitsIT {

    private static final String DIRECT = "DIRECT";
    private static final String CLIENT = "127.0.0.1";
    private static final int HOLD_MILLIS = 2000;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static FerryProcess ferry;
    private static FerryProcess oneAtATime;
    private static ConsoleStatus status;
    private static ConsoleStatus oneAtATimeStatus;
    private static int sharedPort;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        sharedPort = Ports.free();
        String shared = "dev.ferry.listener-shared.cfg";
        List<FerryProcess> ferries = FerryProcess.startAll("-Xmx64m",
                // A browser's per-group limit (6), to watch requests queue; the shipped default is a server's (128).
                Settings.defaults().set(Settings.POOL, "waitTimeoutMillis", "10000")
                        .set(Settings.POOL, "maxConnectionsPerGroup", "6")
                        .set(shared, "name", "shared").set(shared, "host", "127.0.0.1")
                        .set(shared, "port", Integer.toString(sharedPort)).set(shared, "tls", "false")
                        .set(shared, "poolPartition", "none").files(),
                Settings.defaults().set(Settings.POOL, "maxConnectionsPerGroup", "1")
                        .set(Settings.POOL, "waitTimeoutMillis", "300").files());
        ferries.forEach(resources::add);
        ferry = ferries.get(0);
        oneAtATime = ferries.get(1);
        status = new ConsoleStatus(ferry);
        oneAtATimeStatus = new ConsoleStatus(oneAtATime);
        // Wait for the consoles now, so that the tests' polls see the short-lived states they look for.
        status.json();
        oneAtATimeStatus.json();
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void sequentialRequestsReuseOneConnection() throws Exception {
        try (TestOrigin own = new TestOrigin(null)) {
            // One curl, five URLs: one keep-alive client connection, so one event loop in Ferry. (The pool hands
            // an idle connection only to requests on its own event loop; separate client connections may each
            // land on another loop and find nothing to reuse there.)
            String[] args = new String[7];
            args[0] = "-x";
            args[1] = ferry.httpProxy();
            for (int i = 0; i < 5; i++) {
                args[2 + i] = own.url("/echo?reuse=" + i);
            }
            Curl c = Curl.run(args);
            assertEquals(c.toString(), 0, c.exit);
            for (int i = 0; i < 5; i++) {
                assertTrue(c.out, c.out.contains("GET /echo?reuse=" + i + " HTTP/1.1\n"));
            }
            Map<String, String> pool = status.pool(DIRECT, "127.0.0.1:" + own.port(), CLIENT);
            assertNotNull(status.json(), pool);
            assertEquals(pool.toString(), "1", pool.get("created"));
            assertEquals(pool.toString(), "4", pool.get("reused"));
            assertEquals(pool.toString(), "1", pool.get("idle"));
            assertEquals(1, own.connections.get());
        }
    }

    @Test
    public void sevenConcurrentRequestsFromOneClientShareSixConnections() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(7);
        try (TestOrigin own = new TestOrigin(null)) {
            String destination = "127.0.0.1:" + own.port();
            List<Future<Curl>> requests = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                String url = own.url("/slow?ms=" + HOLD_MILLIS + "&n=" + i);
                requests.add(clients.submit(() -> Curl.run("-x", ferry.httpProxy(), url)));
            }
            Map<String, String> busy = Await.until("6 active and 1 waiting for " + destination, 2 * HOLD_MILLIS,
                    () -> {
                        Map<String, String> pool = status.pool(DIRECT, destination, CLIENT);
                        return pool != null && "6".equals(pool.get("active")) && "1".equals(pool.get("waiting"))
                                ? pool : null;
                    });
            assertTrue(busy.toString(), Integer.parseInt(busy.get("created")) <= 6);
            assertEquals(busy.toString(), "1", busy.get("queued"));
            for (Future<Curl> request : requests) {
                Curl c = request.get(30, TimeUnit.SECONDS);
                assertEquals(c.toString(), 0, c.exit);
                assertTrue(c.out, c.out.startsWith("GET /slow?ms=" + HOLD_MILLIS));
            }
            // The seventh went out once one of the six had finished: on a connection given back on its event loop,
            // or on a new one in the slot an idle connection on another loop gave up.
            // A connection goes back to the pool just after its response's last bytes were written: a client may
            // have read them (and the status been asked for) a moment before that.
            Map<String, String> after = Await.until("every connection back for " + destination, 5_000, () -> {
                Map<String, String> pool = status.pool(DIRECT, destination, CLIENT);
                return pool != null && "0".equals(pool.get("active")) ? pool : null;
            });
            assertEquals(after.toString(), "0", after.get("waiting"));
            assertEquals(after.toString(), 7,
                    Integer.parseInt(after.get("created")) + Integer.parseInt(after.get("reused")));
            assertTrue(after.toString(), Integer.parseInt(after.get("idle")) <= 6);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    public void eachClientAddressGetsItsOwnPartition() throws Exception {
        try (TestOrigin own = new TestOrigin(null)) {
            String destination = "127.0.0.1:" + own.port();
            Curl first = Curl.run("-x", ferry.httpProxy(), own.url("/echo?client=1"));
            assertEquals(first.toString(), 0, first.exit);
            // Any 127/8 address is loopback on Linux: a second client address without a second machine.
            Curl second = Curl.run("--interface", "127.0.0.2", "-x", ferry.httpProxy(), own.url("/echo?client=2"));
            assertEquals(second.toString(), 0, second.exit);
            Map<String, String> one = status.pool(DIRECT, destination, "127.0.0.1");
            Map<String, String> two = status.pool(DIRECT, destination, "127.0.0.2");
            assertNotNull(status.json(), one);
            assertNotNull(status.json(), two);
            assertEquals(one.toString(), "1", one.get("created"));
            assertEquals(two.toString(), "1", two.get("created"));
            assertEquals(two.toString(), "0", two.get("reused"));
            assertEquals("no connection shared between the partitions", 2, own.connections.get());
        }
    }

    @Test
    public void clientsOfAListenerWithoutPartitionsShareOneGroup() throws Exception {
        ferry.awaitPort(sharedPort);
        String proxy = "http://127.0.0.1:" + sharedPort;
        try (TestOrigin own = new TestOrigin(null)) {
            String destination = "127.0.0.1:" + own.port();
            for (String client : new String[] {"127.0.0.1", "127.0.0.2"}) {
                Curl c = Curl.run("--interface", client, "-x", proxy, own.url("/echo?shared=" + client));
                assertEquals(c.toString(), 0, c.exit);
            }
            List<Map<String, String>> pools = status.pools().stream()
                    .filter(p -> destination.equals(p.get("destination"))).toList();
            assertEquals("one group for both clients: " + pools, 1, pools.size());
            Map<String, String> pool = pools.get(0);
            assertEquals(pool.toString(), "", pool.get("partition"));
            assertEquals(pool.toString(), 2,
                    Integer.parseInt(pool.get("created")) + Integer.parseInt(pool.get("reused")));
        }
    }

    @Test
    public void waitingLongerThanTheWaitTimeoutIs503() throws Exception {
        ExecutorService clients = Executors.newSingleThreadExecutor();
        try (TestOrigin own = new TestOrigin(null)) {
            String destination = "127.0.0.1:" + own.port();
            Future<Curl> holder = clients.submit(() -> Curl.run("-x", oneAtATime.httpProxy(),
                    own.url("/slow?ms=" + HOLD_MILLIS)));
            Await.until("the group's one connection in use", HOLD_MILLIS, () -> {
                Map<String, String> pool = oneAtATimeStatus.pool(DIRECT, destination, CLIENT);
                return pool != null && "1".equals(pool.get("active")) ? pool : null;
            });
            long start = System.nanoTime();
            Curl refused = Curl.run("-i", "-x", oneAtATime.httpProxy(), own.url("/echo?second"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(refused.out, refused.out.startsWith("HTTP/1.1 503 "));
            assertTrue(refused.out,
                    refused.out.toLowerCase().contains("proxy-status: ferry; error=connection_limit_reached"));
            assertTrue("refused after " + millis + " ms, with waitTimeoutMillis=300", millis < HOLD_MILLIS);
            Curl held = holder.get(30, TimeUnit.SECONDS);
            assertEquals(held.toString(), 0, held.exit);
            assertTrue(held.out, held.out.startsWith("GET /slow"));
        } finally {
            clients.shutdownNow();
        }
    }
}
