package dev.ferry.plugin.acl.impl;

/**
 * An address range: {@code 10.0.0.0/8}, {@code fe80::/10}, or one address ({@code 192.0.2.7}, {@code ::1}). IPv4
 * ranges hold IPv4 addresses (IPv4-mapped IPv6 ones included, see {@link IpLiteral}), IPv6 ranges IPv6 addresses.
 * Bits set after the prefix are ignored, as most tools do: {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
 */
final class CidrBlock {

    private final byte[] network;
    private final int bits;
    private final String text;

    private CidrBlock(byte[] network, int bits, String text) {
        this.network = network;
        this.bits = bits;
        this.text = text;
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code text} */
    static CidrBlock parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] network = IpLiteral.parse(address);
        if (network == null) {
            throw new IllegalArgumentException("'" + text
                    + "' is not an IP address or CIDR block (a.b.c.d/n, x:y::/n)");
        }
        int max = network.length * 8;
        int bits = max;
        if (slash >= 0) {
            String prefix = text.substring(slash + 1);
            bits = prefixLength(prefix);
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("'" + text + "' has prefix length '" + prefix + "': expected 0 to "
                        + max);
            }
        }
        return new CidrBlock(network, bits, text);
    }

    private static int prefixLength(String prefix) {
        if (prefix.isEmpty() || prefix.length() > 3) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Whether {@code address} (4 or 16 bytes, IPv4-mapped ones already as IPv4) is in this range. */
    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[whole] & mask) == (network[whole] & mask);
    }

    @Override
    public String toString() {
        return text;
    }
}
