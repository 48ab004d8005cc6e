package dev.ferry.api.proxy;

/**
 * Parses IP address literals into their bytes without ever touching DNS (unlike {@code InetAddress.getByName}, which
 * resolves anything that is not a literal, on the calling thread). Only exact forms are accepted: dotted-quad IPv4
 * with decimal parts and no leading zeros, and RFC 4291 IPv6 text (with {@code ::} and an optional dotted-quad tail),
 * without brackets and without a zone id. Anything else ({@code 127.1}, {@code 0x7f.0.0.1}, which some parsers read
 * as addresses) is not a literal here: for rules and plugins it is a host name.
 */
public final class IpLiteral {

    /** The length of an IPv4 address in bytes. */
    public static final int IPV4_BYTES = 4;
    /** The length of an IPv6 address in bytes. */
    public static final int IPV6_BYTES = 16;

    private IpLiteral() {
    }

    /** The address's 4 or 16 bytes, or null when {@code text} is not an exact IPv4 or IPv6 literal. */
    public static byte[] parse(String text) {
        if (text.indexOf(':') >= 0) {
            return parseIpv6(text);
        }
        return parseIpv4(text);
    }

    /** The 4 bytes of a dotted-quad IPv4 literal, or null. */
    public static byte[] parseIpv4(String text) {
        byte[] bytes = new byte[IPV4_BYTES];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i < text.length() && text.charAt(i) != '.') {
                continue;
            }
            if (part == IPV4_BYTES) {
                return null;
            }
            int value = decimalOctet(text, start, i);
            if (value < 0) {
                return null;
            }
            bytes[part++] = (byte) value;
            start = i + 1;
        }
        return part == IPV4_BYTES ? bytes : null;
    }

    private static int decimalOctet(String text, int start, int end) {
        int length = end - start;
        // A leading zero would be octal to some parsers (inet_aton); refuse rather than guess.
        if (length < 1 || length > 3 || (length > 1 && text.charAt(start) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 255 ? value : -1;
    }

    /** The 16 bytes of an IPv6 literal (no brackets), or null. */
    public static byte[] parseIpv6(String text) {
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        byte[] head;
        byte[] tail;
        if (doubleColon < 0) {
            head = groups(text, true);
            tail = new byte[0];
            if (head == null || head.length != IPV6_BYTES) {
                return null;
            }
        } else {
            head = groups(text.substring(0, doubleColon), false);
            tail = groups(text.substring(doubleColon + 2), true);
            // "::" stands for at least one group of zeros.
            if (head == null || tail == null || head.length + tail.length > IPV6_BYTES - 2) {
                return null;
            }
        }
        byte[] bytes = new byte[IPV6_BYTES];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(tail, 0, bytes, IPV6_BYTES - tail.length, tail.length);
        return bytes;
    }

    /**
     * The bytes of colon-separated hex groups; the last group may be a dotted-quad IPv4 address when
     * {@code ipv4TailAllowed}. An empty string is zero groups. Null when malformed or longer than 16 bytes.
     */
    private static byte[] groups(String text, boolean ipv4TailAllowed) {
        if (text.isEmpty()) {
            return new byte[0];
        }
        byte[] out = new byte[IPV6_BYTES];
        int length = 0;
        String[] parts = text.split(":", -1);
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p];
            if (p == parts.length - 1 && ipv4TailAllowed && part.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4(part);
                if (v4 == null || length + IPV4_BYTES > IPV6_BYTES) {
                    return null;
                }
                System.arraycopy(v4, 0, out, length, IPV4_BYTES);
                length += IPV4_BYTES;
                continue;
            }
            int value = hexGroup(part);
            if (value < 0 || length + 2 > IPV6_BYTES) {
                return null;
            }
            out[length++] = (byte) (value >> 8);
            out[length++] = (byte) value;
        }
        byte[] exact = new byte[length];
        System.arraycopy(out, 0, exact, 0, length);
        return exact;
    }

    private static int hexGroup(String part) {
        if (part.isEmpty() || part.length() > 4) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            int digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                digit = c - 'A' + 10;
            } else {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }
}
