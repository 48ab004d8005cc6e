package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.HostAndPort;
import java.util.Arrays;

/**
 * {@code [scheme://]ip-literal[:port]}, e.g. {@code 10.1.2.3}, {@code [::1]:8080}. Compares address bytes, so
 * {@code [0:0::1]} and {@code [::1]} are the same rule and an IPv4 rule matches the IPv4-mapped IPv6 form too.
 */
final class IpHostRule implements BypassRule {

    private final String scheme;
    private final byte[] address;
    private final String text;
    private final int port;

    /**
     * @param address 4 or 16 bytes
     * @param text the literal as written (without brackets), for {@link #toString()}
     */
    IpHostRule(String scheme, byte[] address, String text, int port) {
        this.scheme = scheme;
        this.address = IpLiteral.toIpv6(address);
        this.text = text;
        this.port = port;
    }

    @Override
    public Verdict evaluate(TargetUrl url) {
        if (!url.isIpLiteral()) {
            return Verdict.NO_MATCH;
        }
        if (port != TargetUrl.NO_PORT && url.port() != port) {
            return Verdict.NO_MATCH;
        }
        if (scheme != null && !scheme.equals(url.scheme())) {
            return Verdict.NO_MATCH;
        }
        return Arrays.equals(address, IpLiteral.toIpv6(url.address())) ? Verdict.BYPASS : Verdict.NO_MATCH;
    }

    @Override
    public String toString() {
        String host = port == TargetUrl.NO_PORT
                ? (text.indexOf(':') >= 0 ? "[" + text + "]" : text)
                : HostAndPort.format(text, port);
        return (scheme == null ? "" : scheme + "://") + host;
    }
}
