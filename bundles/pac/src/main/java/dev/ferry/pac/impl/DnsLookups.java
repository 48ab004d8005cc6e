package dev.ferry.pac.impl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name lookups behind the PAC helpers {@code dnsResolve}, {@code isResolvable}, {@code isInNet} and
 * {@code myIpAddress}: the only way out of the sandbox. The JDK resolver cannot be interrupted, so each lookup runs
 * on a small pool of its own and the script's thread waits at most {@code dnsTimeoutMillis} (or what is left of the
 * script's time) for the answer. Both limits can change while scripts run: a lookup started before keeps the wait
 * it was given, and a smaller pool shrinks as its threads finish their lookups.
 */
final class DnsLookups implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DnsLookups.class);
    private static final String LOOPBACK = "127.0.0.1";

    private final ThreadPoolExecutor executor;
    private volatile int timeoutMillis;

    DnsLookups(int threads, int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DaemonThreads());
        // idle threads go away; a resolver whose scripts never look names up keeps none
        executor.allowCoreThreadTimeOut(true);
    }

    /** New limits for the lookups asked from now on. */
    synchronized void reconfigure(int threads, int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        // the core size may never exceed the maximum, so the order depends on the direction
        if (threads > executor.getMaximumPoolSize()) {
            executor.setMaximumPoolSize(threads);
            executor.setCorePoolSize(threads);
        } else {
            executor.setCorePoolSize(threads);
            executor.setMaximumPoolSize(threads);
        }
    }

    int threads() {
        return executor.getMaximumPoolSize();
    }

    int timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * The host's first IPv4 address as a dotted quad (PAC's dnsResolve answers IPv4 only), or null when it has
     * none, cannot be resolved, or the answer does not come within the time allowed.
     *
     * @param budgetMillis what is left of the calling script's time; the wait is the lesser of this and
     *                     dnsTimeoutMillis
     */
    String resolveIpv4(String host, long budgetMillis) {
        if (host.isEmpty()) {
            return null; // the JDK would answer the loopback address for an empty name
        }
        long wait = Math.min(timeoutMillis, budgetMillis);
        if (wait <= 0) {
            return null;
        }
        Future<InetAddress[]> lookup;
        try {
            lookup = executor.submit(() -> InetAddress.getAllByName(host));
        } catch (RejectedExecutionException closed) {
            return null;
        }
        try {
            for (InetAddress address : lookup.get(wait, TimeUnit.MILLISECONDS)) {
                if (address instanceof Inet4Address) {
                    return address.getHostAddress();
                }
            }
            return null;
        } catch (TimeoutException e) {
            lookup.cancel(true);
            LOG.debug("PAC dnsResolve({}) gave no answer within {} ms", host, wait);
            return null;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownHostException)) {
                LOG.debug("PAC dnsResolve({}) failed", host, e.getCause());
            }
            return null;
        } catch (InterruptedException e) {
            lookup.cancel(true);
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * This machine's IPv4 address as PAC's myIpAddress sees it: the first address of an interface that is up and is
     * neither loopback nor link-local, else 127.0.0.1. Read from the interfaces, so no name lookup is involved.
     */
    String myIpAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLinkLocalAddress()
                            && !address.isLoopbackAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            LOG.debug("PAC myIpAddress: cannot list network interfaces", e);
        }
        return LOOPBACK;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "ferry-pac-dns-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
