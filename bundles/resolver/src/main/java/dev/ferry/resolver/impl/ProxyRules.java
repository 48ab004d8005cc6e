package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Manual proxy settings in Chromium's {@code ProxyConfig::ProxyRules} syntax:
 * <ul>
 * <li>empty: every URL goes DIRECT;</li>
 * <li>one proxy list for every URL: {@code foo:80}, {@code https://p:443,direct://} (commas separate the fallback
 * order);</li>
 * <li>lists per URL scheme, separated by semicolons: {@code http=foopy:80;https=socks5://s:1080,direct://}. The
 * keys are {@code http}, {@code https}, {@code ftp} and {@code socks}: the {@code socks=} list serves every URL
 * scheme without a list of its own (its bare entries are SOCKS4), and a scheme with neither goes DIRECT.
 * {@code ws}/{@code wss} URLs prefer the socks list, then https, then http, as Chromium does. A key given twice
 * adds to its list.</li>
 * </ul>
 * Where Chromium silently ignores part of a string (an unknown key, an entry it cannot parse, a list without a key
 * next to keyed ones), this parser rejects the string, so the configured rules are the rules in force.
 */
final class ProxyRules {

    private static final String SOCKS_KEY = "socks";
    private static final List<String> URL_SCHEME_KEYS = List.of("http", "https", "ftp");

    /** The list for every URL, or null when the rules are per scheme. */
    private final ProxyList everyUrl;
    /** Lists per URL scheme key; empty when {@link #everyUrl} is set or the rules are empty. */
    private final Map<String, ProxyList> byScheme;
    /** The {@code socks=} list, or null. */
    private final ProxyList fallback;

    private ProxyRules(ProxyList everyUrl, Map<String, ProxyList> byScheme, ProxyList fallback) {
        this.everyUrl = everyUrl;
        this.byScheme = Map.copyOf(byScheme);
        this.fallback = fallback;
    }

    /** @throws IllegalArgumentException quoting the entry or part that cannot be parsed */
    static ProxyRules parse(String text) {
        Objects.requireNonNull(text, "text");
        List<String> parts = new ArrayList<>();
        for (String part : text.split(";")) {
            if (!part.isBlank()) {
                parts.add(part.trim());
            }
        }
        if (parts.isEmpty()) {
            return new ProxyRules(null, Map.of(), null);
        }
        if (parts.size() == 1 && parts.get(0).indexOf('=') < 0) {
            return new ProxyRules(parseList(parts.get(0), Scheme.HTTP, parts.get(0)), Map.of(), null);
        }
        Map<String, List<ProxyServer>> lists = new LinkedHashMap<>();
        for (String part : parts) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("proxy rules part '" + part + "' has no URL scheme, but other "
                        + "parts do: write one list for every URL, or scheme=list parts separated by ';'");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!key.equals(SOCKS_KEY) && !URL_SCHEME_KEYS.contains(key)) {
                throw new IllegalArgumentException("proxy rules part '" + part + "': unknown URL scheme '" + key
                        + "' (known: http, https, ftp, and socks for every other scheme)");
            }
            Scheme defaultScheme = key.equals(SOCKS_KEY) ? Scheme.SOCKS4 : Scheme.HTTP;
            lists.computeIfAbsent(key, k -> new ArrayList<>())
                    .addAll(parseList(part.substring(eq + 1), defaultScheme, part).servers());
        }
        Map<String, ProxyList> byScheme = new LinkedHashMap<>();
        lists.forEach((key, servers) -> {
            if (!key.equals(SOCKS_KEY)) {
                byScheme.put(key, ProxyList.of(servers));
            }
        });
        List<ProxyServer> socks = lists.get(SOCKS_KEY);
        return new ProxyRules(null, byScheme, socks == null ? null : ProxyList.of(socks));
    }

    /** @param part the rules part the list comes from, quoted in errors */
    private static ProxyList parseList(String list, Scheme defaultScheme, String part) {
        if (list.isBlank()) {
            throw new IllegalArgumentException("proxy rules part '" + part + "' has no proxies");
        }
        if (list.indexOf('=') >= 0) {
            throw new IllegalArgumentException("proxy rules part '" + part + "' has more than one '='");
        }
        List<ProxyServer> servers = new ArrayList<>();
        for (String entry : list.split(",", -1)) {
            if (entry.isBlank()) {
                throw new IllegalArgumentException("proxy rules part '" + part + "' has an empty entry");
            }
            servers.add(ProxyUri.parse(entry, defaultScheme));
        }
        return ProxyList.of(servers);
    }

    /**
     * The proxies for {@code url}, chosen by its scheme: {@code http://host:port/path} for forwarded requests,
     * {@code https://host:port/} for tunnels.
     */
    ProxyList forUrl(URI url) {
        if (everyUrl != null) {
            return everyUrl;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        ProxyList own = byScheme.get(scheme);
        if (own != null) {
            return own;
        }
        if (scheme.equals("ws") || scheme.equals("wss")) {
            // RFC 6455 4.1.3 recommends SOCKS, failing that the HTTPS proxy, for WebSockets; Chromium does this.
            for (ProxyList candidate : new ProxyList[] {fallback, byScheme.get("https"), byScheme.get("http")}) {
                if (candidate != null) {
                    return candidate;
                }
            }
        }
        return fallback != null ? fallback : ProxyList.DIRECT;
    }

    /** Whether every URL goes DIRECT (the rules are empty). */
    boolean isEmpty() {
        return everyUrl == null && byScheme.isEmpty() && fallback == null;
    }

    /** For the log: {@code DIRECT}, {@code every URL: [...]} or {@code http: [...]; https: [...]; others: [...]}. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "DIRECT for every URL";
        }
        if (everyUrl != null) {
            return "every URL: " + everyUrl;
        }
        StringBuilder out = new StringBuilder();
        byScheme.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append(e.getKey()).append(": ").append(e.getValue()).append("; "));
        return out.append("other schemes: ").append(fallback != null ? fallback : "DIRECT").toString();
    }
}
