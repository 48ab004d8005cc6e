package dev.ferry.plugin.acl.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.Verdict;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Keeps the hook registered as an {@link ExchangeHook} service under its {@code service.ranking} and
 * {@value AccessControlHook#RESTRICTS_CLIENTS}. The engine reads both when it binds a hook, and a property change does
 * not reorder or re-read it, so a change of either is a new registration: the new one is made before the old one
 * goes, and no exchange starts without the hook in between. Each registration is an object of its own
 * ({@link Registered}, forwarding to the hook), because the engine tells its hooks apart by identity; for that moment
 * both are in new chains, and both answer the same.
 */
final class HookRegistration {

    private final BundleContext context;
    private final ExchangeHook hook;
    /** What identifies the component in a listing: its configuration's service.pid, its component.name. */
    private final Map<String, Object> identity;
    private ServiceRegistration<ExchangeHook> registration;
    private int ranking;
    private boolean restrictsClients;

    HookRegistration(BundleContext context, ExchangeHook hook, Map<String, Object> identity) {
        this.context = context;
        this.hook = hook;
        this.identity = Map.copyOf(identity);
    }

    void register(int ranking, boolean restrictsClients) {
        this.ranking = ranking;
        this.restrictsClients = restrictsClients;
        registration = context.registerService(ExchangeHook.class, new Registered(hook),
                properties(ranking, restrictsClients));
    }

    /** Registers again when the ranking or restrictsClients differs; returns whether it did. */
    boolean update(int newRanking, boolean newRestrictsClients) {
        if (registration == null || (newRanking == ranking && newRestrictsClients == restrictsClients)) {
            return false;
        }
        ServiceRegistration<ExchangeHook> old = registration;
        register(newRanking, newRestrictsClients);
        old.unregister();
        return true;
    }

    void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    private Dictionary<String, Object> properties(int ranking, boolean restrictsClients) {
        Hashtable<String, Object> properties = new Hashtable<>(identity);
        properties.put(Constants.SERVICE_RANKING, ranking);
        properties.put(AccessControlHook.RESTRICTS_CLIENTS, restrictsClients);
        return properties;
    }

    /** The object one registration hands out: every request goes to the hook. */
    static final class Registered implements ExchangeHook {
        private final ExchangeHook hook;

        Registered(ExchangeHook hook) {
            this.hook = hook;
        }

        @Override
        public CompletionStage<Verdict> onRequest(ClientRequest request) {
            return hook.onRequest(request);
        }

        @Override
        public String toString() {
            return hook.toString();
        }
    }
}
