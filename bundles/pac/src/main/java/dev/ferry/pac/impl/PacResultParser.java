package dev.ferry.pac.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what {@code FindProxyForURL} returned, e.g. {@code "PROXY a:8080; SOCKS5 b; DIRECT"}, into a
 * {@link ProxyList}. Keywords as in Chromium, case-insensitive: {@code PROXY} (HTTP, port 80), {@code HTTPS} (443),
 * {@code SOCKS} and {@code SOCKS4} (SOCKS4, 1080), {@code SOCKS5} (1080), {@code DIRECT}. Entries that do not parse
 * are skipped with a log line; repeated entries are kept once.
 */
final class PacResultParser {

    private static final Logger LOG = LoggerFactory.getLogger(PacResultParser.class);

    /** A DNS name or IPv4 address, or an IPv6 literal (which arrives here without its brackets). */
    private static final Pattern HOST = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.?|[0-9a-f:.]*:[0-9a-f:.]*");

    private PacResultParser() {
    }

    /**
     * @param source names the script in log lines
     * @return the proxies, or null when no entry could be used (the caller treats that as a script failure)
     */
    static ProxyList parse(String result, String source) {
        Set<ProxyServer> servers = new LinkedHashSet<>();
        for (String entry : result.split(";")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                servers.add(parseEntry(trimmed));
            } catch (IllegalArgumentException e) {
                LOG.warn("PAC script {}: skipping '{}': {}", source, trimmed, e.getMessage());
            }
        }
        return servers.isEmpty() ? null : ProxyList.of(new ArrayList<>(servers));
    }

    private static ProxyServer parseEntry(String entry) {
        List<String> words = List.of(entry.split("\\s+"));
        String keyword = words.get(0).toUpperCase(Locale.ROOT);
        if (keyword.equals("DIRECT")) {
            if (words.size() != 1) {
                throw new IllegalArgumentException("DIRECT takes no address");
            }
            return ProxyServer.DIRECT;
        }
        Scheme scheme = schemeOf(keyword);
        if (words.size() != 2) {
            throw new IllegalArgumentException(keyword + " needs exactly one host[:port]");
        }
        HostAndPort address = HostAndPort.parse(words.get(1), scheme.defaultPort());
        if (!HOST.matcher(address.host()).matches()) {
            throw new IllegalArgumentException("'" + address.host() + "' is not a host name or IP address");
        }
        return ProxyServer.of(scheme, address.host(), address.port());
    }

    private static Scheme schemeOf(String keyword) {
        switch (keyword) {
            case "PROXY":
                return Scheme.HTTP;
            case "HTTPS":
                return Scheme.HTTPS;
            case "SOCKS":   // plain SOCKS means version 4 in PAC, as in Chromium
            case "SOCKS4":
                return Scheme.SOCKS4;
            case "SOCKS5":
                return Scheme.SOCKS5;
            default:
                throw new IllegalArgumentException("unknown keyword " + keyword);
        }
    }
}
