package dev.ferry.plugin.acl.impl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The destination name lookups the rules and {@code denyPrivateDestinations} need. The JDK resolver blocks, so each
 * lookup, and the decision that follows it, runs on a small pool of the plugin's own and completes the hook's stage
 * there, never on the proxy's I/O thread. Nothing is cached here: each request looks its name up again (the JDK keeps
 * its own short cache, the one the connection's lookup uses too). A lookup that takes longer than the listener's
 * {@code pluginTimeoutMillis} fails the request in the engine.
 */
final class DestinationLookups implements AutoCloseable {

    static final int THREADS = 4;
    /** Lookups that may wait for a thread; beyond that, requests fail rather than queue without end. */
    static final int MAX_WAITING = 1024;

    private static final byte[][] NONE = new byte[0][];

    private final Executor executor;
    /** The pool this made and must shut down; null when the executor came from a test. */
    private final ThreadPoolExecutor own;

    DestinationLookups() {
        AtomicInteger count = new AtomicInteger();
        this.own = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(MAX_WAITING), task -> {
                    Thread thread = new Thread(task, "ferry-acl-dns-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        // idle threads go away: a policy that never resolves keeps none
        own.allowCoreThreadTimeOut(true);
        this.executor = own;
    }

    /** Lookups on {@code executor}, which the caller owns. */
    DestinationLookups(Executor executor) {
        this.executor = executor;
        this.own = null;
    }

    /**
     * Resolves {@code host} on the pool and completes the result with {@code then} of its addresses, there.
     *
     * @return a stage that fails with an {@link IllegalStateException} when the pool is stopped or full
     */
    <T> CompletionStage<T> resolveThen(String host, Function<byte[][], T> then) {
        try {
            return CompletableFuture.supplyAsync(() -> then.apply(resolve(host)), executor);
        } catch (RejectedExecutionException e) {
            String why = own != null && own.isShutdown() ? "is stopped" : "has " + MAX_WAITING + " waiting already";
            return CompletableFuture.failedStage(new IllegalStateException("cannot look up " + host
                    + ": the lookup pool " + why, e));
        }
    }

    /**
     * Every address of {@code host} (IPv4-mapped ones as IPv4), as the connection's resolver would find them; none
     * when it does not resolve, which the connection then reports itself.
     */
    static byte[][] resolve(String host) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return NONE;
        }
        byte[][] addresses = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            addresses[i] = IpLiteral.of(all[i]);
        }
        return addresses;
    }

    @Override
    public void close() {
        if (own != null) {
            own.shutdownNow();
        }
    }
}
