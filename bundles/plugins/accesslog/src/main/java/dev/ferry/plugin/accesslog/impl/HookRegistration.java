package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.ResponseHead;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Keeps the hook registered as an {@link ExchangeHook} service under its {@code service.ranking}. The engine reads
 * the ranking only when it binds a hook, and a property change does not reorder it, so a new ranking is a new
 * registration: the new one is made before the old one goes, and no exchange starts without the hook in between.
 * Each registration is an object of its own ({@link Registered}, forwarding to the hook), because the engine tells
 * its hooks apart by identity; for that moment both are in new chains, and both write to the same log.
 */
final class HookRegistration {

    private final BundleContext context;
    private final ExchangeHook hook;
    /** What identifies the component in a listing: its configuration's service.pid, its component.name. */
    private final Map<String, Object> identity;
    private ServiceRegistration<ExchangeHook> registration;
    private int ranking;

    HookRegistration(BundleContext context, ExchangeHook hook, Map<String, Object> identity) {
        this.context = context;
        this.hook = hook;
        this.identity = Map.copyOf(identity);
    }

    void register(int newRanking) {
        ranking = newRanking;
        registration = context.registerService(ExchangeHook.class, new Registered(hook), properties(newRanking));
    }

    /** Registers again when the ranking differs; returns whether it did. */
    boolean update(int newRanking) {
        if (registration == null || newRanking == ranking) {
            return false;
        }
        ServiceRegistration<ExchangeHook> old = registration;
        register(newRanking);
        old.unregister();
        return true;
    }

    void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    private Dictionary<String, Object> properties(int newRanking) {
        Hashtable<String, Object> properties = new Hashtable<>(identity);
        properties.put(Constants.SERVICE_RANKING, newRanking);
        return properties;
    }

    /** The object one registration hands out: responses and ends go to the hook (requests pass unchanged). */
    static final class Registered implements ExchangeHook {
        private final ExchangeHook hook;

        Registered(ExchangeHook hook) {
            this.hook = hook;
        }

        @Override
        public List<HeaderEdit> onResponse(ClientRequest request, ResponseHead response) {
            return hook.onResponse(request, response);
        }

        @Override
        public void onEnd(ExchangeSummary summary) {
            hook.onEnd(summary);
        }

        @Override
        public String toString() {
            return hook.toString();
        }
    }
}
