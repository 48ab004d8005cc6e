package dev.ferry.plugin.acl.impl;

import java.net.InetAddress;

/**
 * IP address literals as the rules compare them: parsed by the API's {@link dev.ferry.api.proxy.IpLiteral} (exact
 * forms only, never DNS), brackets around IPv6 allowed. Anything else (say {@code 127.1} or {@code 0x7f.0.0.1},
 * which the JDK would read as addresses) is not a literal here and goes to the resolver, off the calling thread,
 * which answers what the connection would use.
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) comes out as its 4 IPv4 bytes: it reaches the IPv4
 * address, so it must meet the IPv4 ranges.
 */
final class IpLiteral {

    private static final int IPV4_BYTES = dev.ferry.api.proxy.IpLiteral.IPV4_BYTES;
    private static final int IPV6_BYTES = dev.ferry.api.proxy.IpLiteral.IPV6_BYTES;

    private IpLiteral() {
    }

    /** The address's 4 or 16 bytes, or null when {@code text} (brackets allowed around IPv6) is not a literal. */
    static byte[] parse(String text) {
        if (text.length() > 2 && text.charAt(0) == '[' && text.charAt(text.length() - 1) == ']') {
            text = text.substring(1, text.length() - 1);
        }
        byte[] bytes = dev.ferry.api.proxy.IpLiteral.parse(text);
        return bytes == null ? null : unmapped(bytes);
    }

    /** The bytes of an address the JDK produced (a client's, or a resolved one), IPv4-mapped ones as IPv4. */
    static byte[] of(InetAddress address) {
        return unmapped(address.getAddress());
    }

    private static byte[] unmapped(byte[] bytes) {
        if (bytes.length != IPV6_BYTES) {
            return bytes;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return bytes;
            }
        }
        if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
            return bytes;
        }
        byte[] v4 = new byte[IPV4_BYTES];
        System.arraycopy(bytes, 12, v4, 0, IPV4_BYTES);
        return v4;
    }
}
