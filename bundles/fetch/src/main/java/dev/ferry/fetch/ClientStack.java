package dev.ferry.fetch;

import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.pac.impl.PacProxyResolver;
import dev.ferry.pool.impl.FallbackConnector;
import dev.ferry.pool.impl.PooledConnections;
import dev.ferry.resolver.impl.ProxyRetryList;
import dev.ferry.resolver.impl.RulesProxyResolver;
import dev.ferry.transport.impl.NettyTransport;
import io.netty.channel.EventLoop;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.util.converter.Converter;
import org.osgi.util.converter.Converters;

/**
 * The proxy's own client side, built by hand the way Declarative Services would build it in Felix: transport, a
 * resolver (proxy rules, or a PAC script), the bad-proxy list, the pool and the fallback connector. Each component
 * gets its Config annotation from the OSGi Converter, so the names and defaults are the ones the proxy's
 * configuration files use. One event loop is plenty for one connection.
 */
final class ClientStack implements AutoCloseable {

    /** Makes Config annotation instances from maps; a key left out takes the annotation's default. */
    private static final Converter CONVERTER = Converters.standardConverter();

    private final NettyTransport transport;
    private final PacProxyResolver pac;
    private final FallbackConnector connector;

    private ClientStack(NettyTransport transport, PacProxyResolver pac, FallbackConnector connector) {
        this.transport = transport;
        this.pac = pac;
        this.connector = connector;
    }

    /**
     * @throws UsageException when a component refuses a setting that came from the command line (the message names
     *                        the option and the component's reason)
     */
    static ClientStack start(FetchOptions options) throws UsageException {
        NettyTransport transport = new NettyTransport(config(NettyTransport.Config.class,
                Map.of("eventLoopThreads", 1, "resolverThreads", 1)));
        PacProxyResolver pac = null;
        try {
            ProxyResolver resolver;
            if (options.pac() != null) {
                pac = pacResolver(options.pac());
                resolver = pac;
            } else {
                resolver = rulesResolver(options);
            }
            PooledConnections pool = pool(transport, options);
            ProxyRetryList badProxies = new ProxyRetryList(config(ProxyRetryList.Config.class, Map.of()));
            FallbackConnector connector = new FallbackConnector(pool, badProxies);
            connector.bindResolver(resolver, Map.of());
            return new ClientStack(transport, pac, connector);
        } catch (UsageException | RuntimeException e) {
            if (pac != null) {
                pac.close();
            }
            shutDown(transport);
            throw e;
        }
    }

    private static RulesProxyResolver rulesResolver(FetchOptions options) throws UsageException {
        Map<String, Object> settings = new HashMap<>();
        settings.put("rules", options.proxyRules() == null ? "" : options.proxyRules());
        settings.put("bypass", options.bypass() == null ? "" : options.bypass());
        try {
            return new RulesProxyResolver(config(RulesProxyResolver.Config.class, settings));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--proxy-rules/--bypass: " + e.getMessage());
        }
    }

    /**
     * The script loads once (no reload timer for a one-shot tool), and a script that fails fails the fetch with
     * proxy_configuration_error rather than quietly going DIRECT: the point of the tool is to show what happens.
     */
    private static PacProxyResolver pacResolver(String fileOrUrl) throws UsageException {
        Map<String, Object> settings = Map.of("url", pacLocation(fileOrUrl), "reloadSeconds", 0, "onError", "FAIL");
        try {
            return new PacProxyResolver(config(PacProxyResolver.Config.class, settings));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pac: " + e.getMessage());
        }
    }

    /** A URL stays as it is; anything else is a file, which must be readable. */
    static String pacLocation(String fileOrUrl) throws UsageException {
        String lower = fileOrUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")) {
            return fileOrUrl;
        }
        if (!Files.isReadable(Paths.get(fileOrUrl))) {
            throw new UsageException("--pac: '" + fileOrUrl + "' is neither a URL nor a readable file");
        }
        return fileOrUrl;
    }

    private static PooledConnections pool(NettyTransport transport, FetchOptions options) throws UsageException {
        Map<String, Object> settings = new HashMap<>();
        settings.put("proxyCredentials", options.proxyCredentials().toArray(new String[0]));
        settings.put("verifyCertificates", !options.insecure());
        if (options.caCertificates() != null) {
            settings.put("trustCertificatesFile", options.caCertificates().toAbsolutePath().toString());
        }
        try {
            return new PooledConnections(transport, config(PooledConnections.Config.class, settings));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--proxy-credentials/--cacert: " + e.getMessage());
        }
    }

    private static <T> T config(Class<T> type, Map<String, Object> settings) {
        return CONVERTER.convert(settings).to(type);
    }

    UpstreamConnector connector() {
        return connector;
    }

    /** The loop the fetch's connection lives on. */
    EventLoop loop() {
        return transport.eventLoops().next();
    }

    @Override
    public void close() {
        connector.close();
        if (pac != null) {
            pac.close();
        }
        shutDown(transport);
    }

    private static void shutDown(NettyTransport transport) {
        transport.eventLoops().shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
