package dev.ferry.itests.misbehaving;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.Verdict;
import java.util.Hashtable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a plugin bundle the tests build on the fly (DropInPluginIT): an exchange hook that throws for
 * targets containing {@code misbehave=throw}, never answers for {@code misbehave=hang}, and lets everything else pass.
 * Uses nothing but the plugin API and the OSGi framework, as a plugin from elsewhere would.
 */
public final class MisbehavingHookActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("component.name", "misbehaving");
        context.registerService(ExchangeHook.class, new Hook(), properties);
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the service.
    }

    /** The hook itself. */
    public static final class Hook implements ExchangeHook {
        @Override
        public CompletionStage<Verdict> onRequest(ClientRequest request) {
            if (request.target().contains("misbehave=throw")) {
                throw new IllegalStateException("this plugin throws on purpose");
            }
            if (request.target().contains("misbehave=hang")) {
                return new CompletableFuture<>();
            }
            return CompletableFuture.completedFuture(Verdict.proceed());
        }
    }
}
