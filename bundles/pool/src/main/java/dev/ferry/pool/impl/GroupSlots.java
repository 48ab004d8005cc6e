package dev.ferry.pool.impl;

import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.PoolCounters;
import dev.ferry.api.upstream.PoolKey;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pool's books: which connections exist per key (connecting, active, idle), the limits they count against, and
 * the requests waiting for room. A slot is held from a connect job's start until its connection closes.
 *
 * <p>One lock (this object's monitor) guards everything: one decision spans three scopes (group, proxy, total) and
 * may close another key's idle connection, which per-key locks could not do without lock ordering. Nothing slow
 * happens under it: no I/O, no promise completion. Methods return {@link Grant}s that the caller carries out after
 * the lock is released, on the right event loops.
 */
final class GroupSlots {

    /** A pooled connection's entry in the books; its fields change only under the lock. */
    static final class Connection {
        final PoolKey key;
        final Channel channel;
        boolean idle;
        long idleSince;
        /** Whether it still holds its slot (false once closed, or evicted on its way to closing). */
        boolean counted = true;

        Connection(PoolKey key, Channel channel) {
            this.key = key;
            this.channel = channel;
        }
    }

    /** A decision to carry out: serve {@code waiter} with {@code reuse}, or start its connect job. */
    static final class Grant {
        final Waiter waiter;
        /** An idle (or just released) connection on the waiter's loop, or null for a connect job. */
        final Connection reuse;
        /** An idle connection to close first to make room, or null. */
        final Channel victim;
        /** The limit the request waits for, when it was queued instead (then nothing else is set). */
        final String waitingFor;

        private Grant(Waiter waiter, Connection reuse, Channel victim, String waitingFor) {
            this.waiter = waiter;
            this.reuse = reuse;
            this.victim = victim;
            this.waitingFor = waitingFor;
        }
    }

    /** Per key: live connections, the queue's share, and counters since the key was first seen. */
    private static final class KeyState {
        int connecting;
        int active;
        int waiting;
        long created;
        long reused;
        long failed;
        long queued;
        long emptySince;
        /** Newest first: reuse takes the most recently used connection, eviction the oldest. */
        final ArrayDeque<Connection> idle = new ArrayDeque<>();

        int held() {
            return connecting + active + idle.size();
        }

        boolean empty() {
            return held() == 0 && waiting == 0;
        }
    }

    private PoolLimits limits;
    private final Map<PoolKey, KeyState> keys = new LinkedHashMap<>();
    private final Map<ProxyServer, Integer> perProxy = new HashMap<>();
    /** Every queued request in arrival order, so FIFO per key and across keys. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int total;
    private boolean drained;

    GroupSlots(PoolLimits limits) {
        this.limits = limits;
    }

    /** A new request: an idle connection on its loop, a slot for a connect job, or a place in the queue. */
    synchronized Grant acquire(Waiter w) {
        KeyState s = state(w.key);
        Connection idle = w.fresh ? null : takeIdle(s, w.loop);
        if (idle != null) {
            s.active++;
            s.reused++;
            return new Grant(w, idle, null, null);
        }
        String limit = limitReached(w.key);
        if (limit == null) {
            takeSlot(w.key, s);
            return new Grant(w, null, null, null);
        }
        Connection victim = oldestIdleMakingRoom(w);
        if (victim != null) {
            dropIdle(victim);
            takeSlot(w.key, s);
            return new Grant(w, null, victim.channel, null);
        }
        w.limit = limit;
        waiters.addLast(w);
        s.waiting++;
        s.queued++;
        return new Grant(w, null, null, limit);
    }

    /** A connect job made {@code ch}: its slot now belongs to the connection. */
    synchronized Connection connected(PoolKey key, Channel ch) {
        KeyState s = state(key);
        s.connecting--;
        s.active++;
        s.created++;
        return new Connection(key, ch);
    }

    /** A connect job failed, or was cancelled ({@code failure} false): its slot frees. */
    synchronized List<Grant> connectFailed(PoolKey key, boolean failure) {
        KeyState s = state(key);
        s.connecting--;
        if (failure) {
            s.failed++;
        }
        freeSlot(key);
        return serveWaiters();
    }

    /**
     * A healthy connection came back: straight to the first request of its key waiting on its loop, else idle.
     * Either way the waiters are looked at again (an idle connection may be closed to make room for them).
     *
     * @return null when the pool has shut down: the connection is to be closed
     */
    synchronized List<Grant> released(Connection c) {
        if (drained) {
            return null;
        }
        List<Grant> grants = new ArrayList<>();
        if (!c.counted || c.idle) {
            return grants;
        }
        KeyState s = state(c.key);
        Waiter sameLoop = null;
        for (Waiter w : waiters) {
            if (w.key.equals(c.key) && w.loop == c.channel.eventLoop() && !w.fresh) {
                sameLoop = w;
                break;
            }
        }
        if (sameLoop != null) {
            waiters.remove(sameLoop);
            s.waiting--;
            s.reused++;
            grants.add(new Grant(sameLoop, c, null, null));
        } else {
            s.active--;
            c.idle = true;
            c.idleSince = System.nanoTime();
            s.idle.addFirst(c);
        }
        grants.addAll(serveWaiters());
        return grants;
    }

    /** An idle connection timed out or misbehaved; null when it was not idle (someone took it meanwhile). */
    synchronized List<Grant> evictIdle(Connection c) {
        if (!c.idle) {
            return null;
        }
        dropIdle(c);
        return serveWaiters();
    }

    /** A connection closed: its slot frees unless it was freed already. */
    synchronized List<Grant> closed(Connection c) {
        if (!c.counted) {
            return List.of();
        }
        KeyState s = state(c.key);
        if (c.idle) {
            s.idle.remove(c);
            c.idle = false;
        } else {
            s.active--;
        }
        c.counted = false;
        freeSlot(c.key);
        return serveWaiters();
    }

    /** Takes a queued request out (timed out: counted as failed, or cancelled); false when it was served already. */
    synchronized boolean removeWaiter(Waiter w, boolean timedOut) {
        if (!waiters.remove(w)) {
            return false;
        }
        KeyState s = state(w.key);
        s.waiting--;
        if (timedOut) {
            s.failed++;
        }
        return true;
    }

    synchronized void tunnelMade(PoolKey key, boolean success) {
        KeyState s = state(key);
        if (success) {
            s.created++;
        } else {
            s.failed++;
        }
    }

    /**
     * For a pool that stopped: from now on released connections close instead of going idle. Returns the idle
     * connections, taken out of the books; queued requests stay and are served as slots free, until {@link
     * #takeWaiters()}.
     */
    synchronized List<Channel> drain() {
        drained = true;
        List<Channel> idle = new ArrayList<>();
        for (KeyState s : keys.values()) {
            for (Connection c : new ArrayList<>(s.idle)) {
                dropIdle(c);
                idle.add(c.channel);
            }
        }
        return idle;
    }

    /** Every queued request, taken out of the books (the drain deadline passed). */
    synchronized List<Waiter> takeWaiters() {
        List<Waiter> all = new ArrayList<>(waiters);
        waiters.clear();
        keys.values().forEach(s -> s.waiting = 0);
        return all;
    }

    /** New limits apply to every later decision; requests waiting at a raised limit are served now. */
    synchronized List<Grant> limits(PoolLimits newLimits) {
        limits = newLimits;
        return serveWaiters();
    }

    /** Whether anything is still lent, connecting or waiting. */
    synchronized boolean busy() {
        return !waiters.isEmpty() || total > 0;
    }

    /**
     * Counters of every key with connections or waiters, and of keys that became empty less than about
     * {@code idleTimeoutSeconds} ago (so that a failure or a closed connection stays visible for a while without
     * the books growing with every destination ever seen).
     */
    synchronized List<PoolCounters> counters() {
        prune();
        List<PoolCounters> list = new ArrayList<>();
        keys.forEach((key, s) -> list.add(new PoolCounters(key, s.active, s.idle.size(), s.waiting, s.created,
                s.reused, s.failed, s.queued)));
        return list;
    }

    private List<Grant> serveWaiters() {
        List<Grant> grants = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            KeyState s = state(w.key);
            Connection idle = w.fresh ? null : takeIdle(s, w.loop);
            Grant grant;
            if (idle != null) {
                s.active++;
                s.reused++;
                grant = new Grant(w, idle, null, null);
            } else if (limitReached(w.key) == null) {
                takeSlot(w.key, s);
                grant = new Grant(w, null, null, null);
            } else {
                Connection victim = oldestIdleMakingRoom(w);
                if (victim == null) {
                    continue;
                }
                dropIdle(victim);
                takeSlot(w.key, s);
                grant = new Grant(w, null, victim.channel, null);
            }
            it.remove();
            s.waiting--;
            grants.add(grant);
        }
        return grants;
    }

    private String limitReached(PoolKey key) {
        if (state(key).held() >= limits.perGroup) {
            return "maxConnectionsPerGroup " + limits.perGroup;
        }
        if (!key.proxy().isDirect() && perProxy.getOrDefault(key.proxy(), 0) >= limits.perProxy) {
            return "maxConnectionsPerProxy " + limits.perProxy;
        }
        if (total >= limits.total) {
            return "maxConnections " + limits.total;
        }
        return null;
    }

    /**
     * The oldest idle connection whose closing lets {@code w} connect: of another key (as Chromium closes idle
     * sockets of other groups), or of the same key on another event loop (which {@code w} cannot use, and which
     * would otherwise hold the group's slots until it times out).
     */
    private Connection oldestIdleMakingRoom(Waiter w) {
        Connection oldest = null;
        for (KeyState s : keys.values()) {
            for (Connection c : s.idle) {
                boolean usable = !w.fresh && c.key.equals(w.key) && c.channel.eventLoop() == w.loop;
                if (!usable && fitsWithout(w.key, c) && (oldest == null || c.idleSince - oldest.idleSince < 0)) {
                    oldest = c;
                }
            }
        }
        return oldest;
    }

    private boolean fitsWithout(PoolKey key, Connection c) {
        int group = state(key).held() - (c.key.equals(key) ? 1 : 0);
        if (group >= limits.perGroup) {
            return false;
        }
        if (!key.proxy().isDirect()) {
            int proxy = perProxy.getOrDefault(key.proxy(), 0) - (c.key.proxy().equals(key.proxy()) ? 1 : 0);
            if (proxy >= limits.perProxy) {
                return false;
            }
        }
        return total - 1 < limits.total;
    }

    private static Connection takeIdle(KeyState s, EventLoop loop) {
        for (Iterator<Connection> it = s.idle.iterator(); it.hasNext();) {
            Connection c = it.next();
            if (c.channel.eventLoop() == loop && c.channel.isActive()) {
                it.remove();
                c.idle = false;
                return c;
            }
        }
        return null;
    }

    private void dropIdle(Connection c) {
        state(c.key).idle.remove(c);
        c.idle = false;
        c.counted = false;
        freeSlot(c.key);
    }

    private void takeSlot(PoolKey key, KeyState s) {
        s.connecting++;
        total++;
        if (!key.proxy().isDirect()) {
            perProxy.merge(key.proxy(), 1, Integer::sum);
        }
    }

    private void freeSlot(PoolKey key) {
        total--;
        if (!key.proxy().isDirect()) {
            perProxy.computeIfPresent(key.proxy(), (p, n) -> n > 1 ? n - 1 : null);
        }
    }

    private KeyState state(PoolKey key) {
        KeyState s = keys.get(key);
        if (s == null) {
            prune();
            s = new KeyState();
            keys.put(key, s);
        }
        return s;
    }

    private void prune() {
        long now = System.nanoTime();
        long keep = TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds);
        for (Iterator<KeyState> it = keys.values().iterator(); it.hasNext();) {
            KeyState s = it.next();
            if (!s.empty()) {
                s.emptySince = 0;
            } else if (s.emptySince == 0) {
                s.emptySince = now;
            } else if (now - s.emptySince > keep) {
                it.remove();
            }
        }
    }
}
