package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.BadProxies;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chromium's proxy retry info: a proxy that failed is moved behind the working ones for
 * {@code badProxyRetrySeconds}. Called from every event loop, so the map is concurrent and each call reads the
 * clock once; an entry whose time has come is removed by whoever sees it next, never by a timer.
 *
 * <p>A changed {@code badProxyRetrySeconds} applies in place to proxies marked from then on; the proxies already
 * marked keep their entries and the retry time they were given, so a change never forgets a failure or brings a
 * failed proxy back early.
 */
@Component(service = BadProxies.class, configurationPid = "dev.ferry.resolver.retry", immediate = true)
@Designate(ocd = ProxyRetryList.Config.class)
public class ProxyRetryList implements BadProxies {

    @ObjectClassDefinition(name = "Ferry bad proxy list", description = "How long a failed upstream proxy is "
            + "tried last")
    public @interface Config {
        @AttributeDefinition(name = "Retry after (seconds)", description = "Seconds a proxy that failed goes to "
                + "the end of every proxy list it is in (at least 1)", min = "1")
        int badProxyRetrySeconds() default 300;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProxyRetryList.class);

    private volatile Duration retryAfter;
    private final Clock clock;
    private final Map<ProxyServer, ProxyRetryInfo> bad = new ConcurrentHashMap<>();

    @Activate
    public ProxyRetryList(Config config) {
        this(config, Clock.systemUTC());
    }

    ProxyRetryList(Config config, Clock clock) {
        this.retryAfter = retryAfter(config);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Modified
    void modified(Config config) {
        Duration next;
        try {
            next = retryAfter(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; keeping {} s", e.getMessage(), retryAfter.getSeconds());
            return;
        }
        if (!next.equals(retryAfter)) {
            retryAfter = next;
            LOG.info("Failed proxies marked from now on are tried last for {} s; the {} marked before keep their "
                    + "retry times", next.getSeconds(), bad.size());
        }
    }

    private static Duration retryAfter(Config config) {
        int seconds = config.badProxyRetrySeconds();
        if (seconds <= 0) {
            throw new IllegalArgumentException("dev.ferry.resolver.retry badProxyRetrySeconds must be at least 1, "
                    + "was " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    @Override
    public void markBad(ProxyServer proxy, ProxyErrorType error, String details) {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(error, "error");
        if (proxy.isDirect()) {
            return;
        }
        Instant now = clock.instant();
        Duration delay = retryAfter;
        ProxyRetryInfo info = new ProxyRetryInfo(proxy, error, details, now, now.plus(delay));
        bad.put(proxy, info);
        LOG.warn("Marking {} bad for {} s: {}: {}", proxy, delay.getSeconds(), error.token(), info.details());
    }

    @Override
    public void clear(ProxyServer proxy) {
        Objects.requireNonNull(proxy, "proxy");
        bad.remove(proxy);
    }

    @Override
    public boolean isBad(ProxyServer proxy) {
        return isBad(proxy, clock.instant());
    }

    private boolean isBad(ProxyServer proxy, Instant now) {
        ProxyRetryInfo info = bad.get(proxy);
        if (info == null) {
            return false;
        }
        if (now.isBefore(info.retryAt())) {
            return true;
        }
        // Remove this very entry only: another thread may have marked the proxy bad again meanwhile.
        bad.remove(proxy, info);
        return false;
    }

    @Override
    public ProxyList deprioritize(ProxyList proxies) {
        Objects.requireNonNull(proxies, "proxies");
        if (bad.isEmpty()) {
            return proxies;
        }
        Instant now = clock.instant();
        List<ProxyServer> good = new ArrayList<>();
        List<ProxyServer> failed = new ArrayList<>();
        for (ProxyServer proxy : proxies.servers()) {
            (isBad(proxy, now) ? failed : good).add(proxy);
        }
        if (failed.isEmpty() || good.isEmpty()) {
            return proxies;
        }
        good.addAll(failed);
        return ProxyList.of(good);
    }

    @Override
    public List<ProxyRetryInfo> current() {
        Instant now = clock.instant();
        List<ProxyRetryInfo> out = new ArrayList<>();
        for (ProxyRetryInfo info : bad.values()) {
            if (now.isBefore(info.retryAt())) {
                out.add(info);
            } else {
                bad.remove(info.proxy(), info);
            }
        }
        out.sort(Comparator.comparing(ProxyRetryInfo::retryAt).thenComparing(i -> i.proxy().toString()));
        return out;
    }
}
