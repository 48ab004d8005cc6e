package dev.ferry.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The steady mixed load of {@link HotSwapIT}, from a few threads, each loop bounded in iterations and time:
 * keep-alive GETs through the plain listener, CONNECT tunnels through the plain listener and inside TLS to the TLS
 * listener (several overlapping at any time), SPDY GETs on a shared session and HTTP/2 GETs on a shared connection. Every outcome goes to the
 * {@link LoadLedger}.
 */
final class MixedLoad implements AutoCloseable {

    static final long[] GET_SIZES = {1_000, 20_000, 150_000};
    static final long[] TUNNEL_UPLOADS = {256L << 10, 512L << 10, 1L << 20};
    static final long[] TUNNEL_DOWNLOADS = {2L << 20, 256L << 10, 1L << 20};
    private static final int GET_THREADS = 2;
    private static final int PLAIN_TUNNEL_THREADS = 2;
    private static final int TLS_TUNNEL_THREADS = 1;
    private static final int SPDY_THREADS = 2;
    private static final int H2_THREADS = 2;
    private static final int MAX_ITERATIONS = 200_000;
    private static final long TUNNEL_PAUSE_MILLIS = 20;
    /** After a failure a loop pauses, so that the count tells how long a failure lasted, not how fast we spin. */
    private static final long FAILURE_PAUSE_MILLIS = 50;

    private final ProxyEndpoints endpoints;
    private final LoadLedger ledger;
    private final TestOrigin origin;
    private final DigestEchoTarget target;
    private final SpdyGetLoop spdy;
    private final H2GetLoop h2;
    private final long deadlineNanos;
    private final List<Thread> threads = new ArrayList<>();
    private final byte[][] bodies = new byte[GET_SIZES.length][];
    private final String[] sha256s = new String[GET_SIZES.length];
    private volatile boolean running = true;

    MixedLoad(ProxyEndpoints endpoints, LoadLedger ledger, TestOrigin origin, DigestEchoTarget target,
            SpdyGetLoop spdy, H2GetLoop h2, long maxSeconds) {
        this.endpoints = endpoints;
        this.ledger = ledger;
        this.origin = origin;
        this.target = target;
        this.spdy = spdy;
        this.h2 = h2;
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        for (int i = 0; i < GET_SIZES.length; i++) {
            bodies[i] = new byte[(int) GET_SIZES[i]];
            Patterns.fill(bodies[i], 0, bodies[i].length);
            sha256s[i] = Patterns.sha256(GET_SIZES[i]);
        }
    }

    void start() {
        for (int i = 0; i < GET_THREADS; i++) {
            startThread("load-get-" + i, this::getLoop);
        }
        for (int i = 0; i < PLAIN_TUNNEL_THREADS + TLS_TUNNEL_THREADS; i++) {
            boolean tls = i >= PLAIN_TUNNEL_THREADS;
            int offset = i;
            startThread("load-tunnel-" + (tls ? "tls-" : "") + i, () -> tunnelLoop(tls, offset));
        }
        for (int i = 0; i < SPDY_THREADS; i++) {
            int offset = i;
            startThread("load-spdy-" + i, () -> spdyLoop(offset));
        }
        for (int i = 0; i < H2_THREADS; i++) {
            int offset = i;
            startThread("load-h2-" + i, () -> h2Loop(offset));
        }
    }

    private void startThread(String name, Loop loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private boolean going(int iteration) {
        return running && iteration < MAX_ITERATIONS && System.nanoTime() < deadlineNanos;
    }

    private void getLoop() throws InterruptedException {
        try (KeepAliveGetClient client = new KeepAliveGetClient(endpoints, ledger)) {
            for (int i = 0; going(i); i++) {
                int size = i % GET_SIZES.length;
                long start = System.nanoTime();
                try {
                    client.get(origin.url("/bytes?n=" + GET_SIZES[size]), bodies[size]);
                    ledger.succeeded(LoadLedger.Traffic.GET, start);
                } catch (Exception e) {
                    ledger.failed(LoadLedger.Traffic.GET, start, e);
                    Thread.sleep(FAILURE_PAUSE_MILLIS);
                }
            }
        }
    }

    private void tunnelLoop(boolean tls, int offset) throws InterruptedException {
        LoadLedger.Traffic traffic = tls ? LoadLedger.Traffic.TUNNEL_TLS : LoadLedger.Traffic.TUNNEL;
        for (int i = 0; going(i); i++) {
            int pick = (i + offset) % TUNNEL_UPLOADS.length;
            long start = System.nanoTime();
            try {
                TunnelProbe.run(endpoints, ledger, tls, target.port(), TUNNEL_UPLOADS[pick], TUNNEL_DOWNLOADS[pick]);
                ledger.succeeded(traffic, start);
                Thread.sleep(TUNNEL_PAUSE_MILLIS);
            } catch (Exception e) {
                ledger.failed(traffic, start, e);
                Thread.sleep(FAILURE_PAUSE_MILLIS);
            }
        }
    }

    private void h2Loop(int offset) throws InterruptedException {
        for (int i = 0; going(i); i++) {
            int size = (i + offset) % GET_SIZES.length;
            h2.getOnce(origin.url("/bytes?n=" + GET_SIZES[size]), sha256s[size], GET_SIZES[size]);
        }
    }

    private void spdyLoop(int offset) throws InterruptedException {
        for (int i = 0; going(i); i++) {
            int size = (i + offset) % GET_SIZES.length;
            spdy.getOnce(origin.url("/bytes?n=" + GET_SIZES[size]), bodies[size]);
        }
    }

    /** Stops the loops after their current request or tunnel; waits (60 s at most) for them to finish it. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                ledger.failedStep("load-hung", t.getName() + " still running 60 s after the load stopped");
                t.interrupt();
            }
        }
    }

    private interface Loop {
        void run() throws InterruptedException;
    }
}
