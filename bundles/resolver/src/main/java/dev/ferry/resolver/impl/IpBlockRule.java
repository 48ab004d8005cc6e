package dev.ferry.resolver.impl;

/**
 * {@code [scheme://]address/prefix-length}, e.g. {@code 192.168.0.0/16}, {@code fe80::/10}. Matches URLs whose host
 * is an IP literal inside the block (IPv4 blocks also cover IPv4-mapped IPv6 literals); host names never match,
 * since matching must not resolve them.
 */
final class IpBlockRule implements BypassRule {

    private final String scheme;
    private final byte[] prefix;
    private final int prefixBits;
    private final String text;

    /**
     * @param prefix 4 or 16 bytes
     * @param prefixBits significant bits of {@code prefix} (0-32 for IPv4, 0-128 for IPv6)
     * @param text the block as written, for {@link #toString()}
     */
    IpBlockRule(String scheme, byte[] prefix, int prefixBits, String text) {
        this.scheme = scheme;
        // Compare everything in the IPv6 space, as Chromium's IPAddressMatchesPrefix does.
        this.prefixBits = prefix.length == IpLiteral.IPV4_BYTES ? prefixBits + 96 : prefixBits;
        this.prefix = IpLiteral.toIpv6(prefix);
        this.text = text;
    }

    @Override
    public Verdict evaluate(TargetUrl url) {
        if (!url.isIpLiteral()) {
            return Verdict.NO_MATCH;
        }
        if (scheme != null && !scheme.equals(url.scheme())) {
            return Verdict.NO_MATCH;
        }
        return IpLiteral.samePrefix(prefix, IpLiteral.toIpv6(url.address()), prefixBits)
                ? Verdict.BYPASS : Verdict.NO_MATCH;
    }

    @Override
    public String toString() {
        return (scheme == null ? "" : scheme + "://") + text;
    }
}
