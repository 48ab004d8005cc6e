package dev.ferry.engine.impl;

import dev.ferry.api.exchange.ExchangeHook;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The exchange hooks registered now, in calling order ({@code service.ranking} highest first, then the older service
 * first), and the settings of their calls. A new exchange takes the chain as it is when it starts; hooks that come
 * or go change only the chains taken after.
 */
final class ExchangeHooks {

    /** Set on a hook's service when it refuses clients it does not know: a public listener is then not open. */
    static final String RESTRICTS_CLIENTS = "dev.ferry.exchange.restrictsClients";

    /** One registered hook and how it is named in errors and logs. */
    static final class Ranked {
        final ExchangeHook hook;
        final String name;
        final int ranking;
        final long serviceId;
        final boolean restrictsClients;

        Ranked(ExchangeHook hook, String name, int ranking, long serviceId, boolean restrictsClients) {
            this.hook = hook;
            this.name = name;
            this.ranking = ranking;
            this.serviceId = serviceId;
            this.restrictsClients = restrictsClients;
        }
    }

    private static final Comparator<Ranked> CALLING_ORDER = Comparator.<Ranked>comparingInt(r -> -r.ranking)
            .thenComparingLong(r -> r.serviceId);

    private volatile List<Ranked> chain = List.of();
    private volatile long timeoutMillis;

    ExchangeHooks(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    void timeoutMillis(long millis) {
        this.timeoutMillis = millis;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    /** The chain for an exchange starting now; empty when no hook is registered. */
    List<Ranked> chain() {
        return chain;
    }

    /** Whether a registered hook refuses unknown clients (authentication, or client address rules). */
    boolean restrictClients() {
        for (Ranked r : chain) {
            if (r.restrictsClients) {
                return true;
            }
        }
        return false;
    }

    synchronized void add(ExchangeHook hook, Map<String, ?> properties) {
        List<Ranked> next = new ArrayList<>(chain);
        next.removeIf(r -> r.hook == hook);
        next.add(new Ranked(hook, name(hook, properties), intValue(properties.get("service.ranking")),
                longValue(properties.get("service.id")), Boolean.parseBoolean(
                        String.valueOf(properties.get(RESTRICTS_CLIENTS)))));
        next.sort(CALLING_ORDER);
        chain = List.copyOf(next);
    }

    synchronized void remove(ExchangeHook hook) {
        List<Ranked> next = new ArrayList<>(chain);
        next.removeIf(r -> r.hook == hook);
        chain = List.copyOf(next);
    }

    private static String name(ExchangeHook hook, Map<String, ?> properties) {
        Object component = properties.get("component.name");
        return component != null ? component.toString() : hook.getClass().getName();
    }

    /** A ranking as OSGi reads it: an Integer; a String (from an untyped configuration file) is read too. */
    private static int intValue(Object o) {
        if (o instanceof Integer) {
            return (Integer) o;
        }
        if (o instanceof String) {
            try {
                return Integer.parseInt(((String) o).trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static long longValue(Object o) {
        return o instanceof Long ? (Long) o : Long.MAX_VALUE;
    }
}
