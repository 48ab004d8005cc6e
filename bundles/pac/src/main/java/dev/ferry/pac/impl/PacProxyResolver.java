package dev.ferry.pac.impl;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolver;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ProxyResolver} that asks a proxy auto-config (PAC) script: {@code FindProxyForURL(url, host)} with the
 * classic helper functions, its answer ({@code "PROXY a:3128; SOCKS5 b; DIRECT"}) turned into a {@link ProxyList}.
 * The script comes from a file or an http(s) URL and is reloaded when it changes; a script that throws, runs past
 * {@code timeoutMillis} or answers garbage gets the {@code onError} policy. Registered only when configured, with
 * {@code service.ranking} 100, so a configured PAC script outranks the rules resolver.
 *
 * <p>A changed configuration applies in place ({@link #modified}): the next call gets the new {@code timeoutMillis}
 * and {@code onError}, the next DNS lookup the new {@code dnsTimeoutMillis} and {@code dnsThreads}, the timer the new
 * {@code reloadSeconds}; a new {@code url} (or {@code maxScriptBytes}, {@code fetchTimeoutMillis}) has the script
 * loaded again in the background while the script in use goes on answering. Only a configuration that appears or is
 * deleted registers or unregisters this resolver. A change with a bad value is refused as a whole, with one ERROR
 * line naming the setting.
 *
 * <p>Why Rhino runs the scripts: it is pure Java and runs inside OSGi as a bundle of its own (its jar carries the
 * manifest); in interpreter mode it generates no classes, and its instruction observer gives a hard time limit on
 * every call; safe standard objects plus a ClassShutter that refuses every Java class make a sandbox in which only
 * the DNS helpers reach outside. Nashorn left the JDK in Java 15 and its standalone jar is not an OSGi bundle;
 * GraalJS needs Truffle and a polyglot runtime, which do not run as plain OSGi bundles.
 */
@Component(service = ProxyResolver.class, configurationPid = "dev.ferry.pac",
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = "service.ranking:Integer=100")
@Designate(ocd = PacProxyResolver.Config.class)
public class PacProxyResolver implements ProxyResolver {

    @ObjectClassDefinition(name = "Ferry PAC resolver",
            description = "Chooses upstream proxies per URL with a proxy auto-config (PAC) script")
    public @interface Config {
        @AttributeDefinition(description = "The PAC script: a file path, a file: URL, or an http:// or https:// "
                + "URL (fetched without any proxy)")
        String url();

        @AttributeDefinition(description = "Seconds between checks for a changed script (file: modification time "
                + "and size; URL: fetched again); 0 = load once")
        int reloadSeconds() default 30;

        @AttributeDefinition(description = "Longest a FindProxyForURL call (or the script's top level at load) may "
                + "run, in milliseconds, DNS helpers included")
        int timeoutMillis() default 1000;

        @AttributeDefinition(description = "Longest one DNS lookup of dnsResolve, isResolvable or isInNet may "
                + "take, in milliseconds")
        int dnsTimeoutMillis() default 2000;

        @AttributeDefinition(description = "Threads doing the DNS lookups of the PAC helpers")
        int dnsThreads() default 4;

        @AttributeDefinition(description = "Longest fetch of a script from an http(s) URL, body included, in "
                + "milliseconds")
        int fetchTimeoutMillis() default 10000;

        @AttributeDefinition(description = "What a URL gets when the script fails for it or none is loaded",
                options = {
                    @Option(value = "DIRECT", label = "DIRECT: connect directly, log a warning"),
                    @Option(value = "FAIL", label = "FAIL: fail the request (proxy_configuration_error)")
                })
        String onError() default "DIRECT";

        @AttributeDefinition(description = "Largest script accepted, in bytes")
        int maxScriptBytes() default 1048576;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PacProxyResolver.class);

    /** Read once per resolution, so one call never mixes old and new values. */
    private volatile PacSettings settings;
    private final DnsLookups dns;
    private final PacScriptLoader loader;

    @Activate
    public PacProxyResolver(Config config) {
        this(config, Clock.systemDefaultZone());
    }

    /** With the clock the date and time helpers read; tests pass a fixed one. */
    PacProxyResolver(Config config, Clock clock) {
        PacSettings initial = PacSettings.of(config);
        PacSource source = initial.newSource();
        this.dns = new DnsLookups(initial.dnsThreads(), initial.dnsTimeoutMillis());
        try {
            PacRuntime runtime = new PacRuntime(dns, Objects.requireNonNull(clock, "clock"));
            this.loader = new PacScriptLoader(source, runtime, initial.timeoutMillis(), initial.reloadSeconds());
        } catch (RuntimeException e) {
            dns.close();
            throw e;
        }
        this.settings = initial;
    }

    /**
     * Applies a changed configuration without unregistering the resolver (a deleted configuration still
     * deactivates it: the configuration policy is REQUIRE).
     */
    @Modified
    void modified(Config config) {
        PacSettings previous = settings;
        PacSettings next;
        PacSource source;
        try {
            next = PacSettings.of(config);
            source = next.sameSourceAs(previous) ? null : next.newSource();
        } catch (IllegalArgumentException e) {
            LOG.error("dev.ferry.pac: {}; keeping the settings in force", e.getMessage());
            return;
        }
        dns.reconfigure(next.dnsThreads(), next.dnsTimeoutMillis());
        settings = next;
        loader.reconfigure(source, next.timeoutMillis(), next.reloadSeconds());
        if (source == null) {
            LOG.info("PAC settings changed: {}", next);
        } else {
            LOG.info("PAC settings changed: {}; loading {}, the script in use answers until it has loaded", next,
                    source.location());
        }
    }

    @Override
    public ProxyList resolve(URI url) {
        Objects.requireNonNull(url, "url");
        PacSettings now = settings;
        try {
            return resolveWithScript(url, now.timeoutMillis());
        } catch (PacScriptException e) {
            return now.onError().apply(e);
        }
    }

    private ProxyList resolveWithScript(URI url, int timeoutMillis) throws PacScriptException {
        PacScript script = loader.current();
        if (script == null) {
            throw new PacScriptException("no PAC script loaded from " + loader.location() + " ("
                    + loader.lastProblem() + ") to resolve " + url);
        }
        PacTarget target;
        try {
            target = PacTarget.of(url);
        } catch (IllegalArgumentException e) {
            throw new PacScriptException("cannot ask PAC script " + script.location() + ": " + e.getMessage(), e);
        }
        String result = script.findProxyForUrl(target, timeoutMillis);
        ProxyList proxies = PacResultParser.parse(result, script.location());
        if (proxies == null) {
            throw new PacScriptException("PAC script " + script.location() + " returned no usable proxy for "
                    + target.url() + ": " + PacScript.quote(result));
        }
        return proxies;
    }

    /** A PAC script runs JavaScript and may look names up: never call it on an event loop. */
    @Override
    public boolean mayBlock() {
        return true;
    }

    /** Why the last load or reload of the script failed, or null after a successful one. */
    String lastLoadProblem() {
        return loader.lastProblem();
    }

    /** The DNS lookups of the helpers, whose limits follow the configuration. */
    DnsLookups dnsLookups() {
        return dns;
    }

    /** Stops the reload timer and the DNS threads. */
    @Deactivate
    public void close() {
        loader.close();
        dns.close();
    }
}
