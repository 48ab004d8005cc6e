package dev.ferry.plugin.headers.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.ResponseHead;
import dev.ferry.api.exchange.Verdict;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Keeps the hook registered as an {@link ExchangeHook} service only while it has something to do: every registered
 * hook is called for every exchange, so a configuration without rules costs nothing only if nothing is registered.
 * The engine reads {@code service.ranking} when it binds a hook, and a property change does not reorder it, so a new
 * ranking is a new registration: the new one is made before the old one goes, and no exchange starts without the
 * hook in between. Each registration is an object of its own ({@link Registered}, forwarding to the hook), because
 * the engine tells its hooks apart by identity.
 */
final class HookRegistration {

    /** What changed, for the log. */
    enum Change {
        NONE, REGISTERED, REGISTERED_AGAIN, UNREGISTERED
    }

    private final BundleContext context;
    private final ExchangeHook hook;
    /** What identifies the component in a listing and the engine's messages: service.pid, component.name. */
    private final Map<String, Object> identity;
    private ServiceRegistration<ExchangeHook> registration;
    private int ranking;

    HookRegistration(BundleContext context, ExchangeHook hook, Map<String, Object> identity) {
        this.context = context;
        this.hook = hook;
        this.identity = Map.copyOf(identity);
    }

    /** Registers, registers again or unregisters: registered under {@code newRanking} while it has work, else not. */
    Change update(boolean work, int newRanking) {
        if (!work) {
            return unregister() ? Change.UNREGISTERED : Change.NONE;
        }
        if (registration == null) {
            register(newRanking);
            return Change.REGISTERED;
        }
        if (newRanking == ranking) {
            return Change.NONE;
        }
        ServiceRegistration<ExchangeHook> old = registration;
        register(newRanking);
        old.unregister();
        return Change.REGISTERED_AGAIN;
    }

    /** @return whether it was registered */
    boolean unregister() {
        if (registration == null) {
            return false;
        }
        registration.unregister();
        registration = null;
        return true;
    }

    private void register(int newRanking) {
        Hashtable<String, Object> properties = new Hashtable<>(identity);
        properties.put(Constants.SERVICE_RANKING, newRanking);
        registration = context.registerService(ExchangeHook.class, new Registered(hook),
                (Dictionary<String, Object>) properties);
        ranking = newRanking;
    }

    /** The object one registration hands out: every call goes to the hook. */
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
        public List<HeaderEdit> onResponse(ClientRequest request, ResponseHead response) {
            return hook.onResponse(request, response);
        }

        @Override
        public String toString() {
            return hook.toString();
        }
    }
}
