package dev.ferry.api.exchange;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees each client request before the proxy acts on it. Register one as an OSGi service: the engine calls every
 * registered hook in {@code service.ranking} order (highest first), each with the request as the hooks before it left
 * it, until one denies or challenges. Hooks may come and go while the proxy runs; an exchange keeps the chain it
 * started with.
 *
 * <p>Threading: {@link #onRequest} is called on a proxy I/O thread and must return at once. Work that blocks or takes
 * time (a password hash, a lookup) runs on the plugin's own threads and completes the returned stage later. A hook
 * whose stage does not complete within the listener's {@code pluginTimeoutMillis}, or that throws or completes
 * exceptionally, fails the request with {@code 500} and {@code Proxy-Status: ...; error=proxy_internal_error;
 * details="plugin <name> ..."}, where the name is the service's {@code component.name} (or its bundle's symbolic
 * name).
 */
@ConsumerType
public interface ExchangeHook {

    /** @return the verdict; {@link Verdict#proceed()} to let the request pass unchanged */
    CompletionStage<Verdict> onRequest(ClientRequest request);
}
