package dev.ferry.resolver.impl;

/**
 * IP address literals for the bypass rules: parsed by the API's {@link dev.ferry.api.proxy.IpLiteral} (exact forms,
 * never DNS), and compared as Chromium compares them, IPv4 as IPv4-mapped IPv6.
 */
final class IpLiteral {

    static final int IPV4_BYTES = dev.ferry.api.proxy.IpLiteral.IPV4_BYTES;
    static final int IPV6_BYTES = dev.ferry.api.proxy.IpLiteral.IPV6_BYTES;

    private IpLiteral() {
    }

    /** The address's 4 or 16 bytes, or null when {@code text} is not an exact IPv4 or IPv6 literal. */
    static byte[] parse(String text) {
        return dev.ferry.api.proxy.IpLiteral.parse(text);
    }

    /** The 4 bytes of a dotted-quad IPv4 literal, or null. */
    static byte[] parseIpv4(String text) {
        return dev.ferry.api.proxy.IpLiteral.parseIpv4(text);
    }

    /** The 16 bytes of an IPv6 literal (no brackets), or null. */
    static byte[] parseIpv6(String text) {
        return dev.ferry.api.proxy.IpLiteral.parseIpv6(text);
    }

    /**
     * The address as 16 bytes: IPv6 unchanged, IPv4 as its IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}), so that
     * IPv4 rules and IPv4-mapped URLs compare as Chromium compares them.
     */
    static byte[] toIpv6(byte[] address) {
        if (address.length == IPV6_BYTES) {
            return address;
        }
        byte[] mapped = new byte[IPV6_BYTES];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(address, 0, mapped, 12, IPV4_BYTES);
        return mapped;
    }

    /** Whether the first {@code bits} bits of two equally long addresses are equal. */
    static boolean samePrefix(byte[] a, byte[] b, int bits) {
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[whole] & mask) == (b[whole] & mask);
    }
}
