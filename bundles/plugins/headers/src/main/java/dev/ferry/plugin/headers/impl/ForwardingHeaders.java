package dev.ferry.plugin.headers.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Headers;
import dev.ferry.api.proxy.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The headers that tell the origin who the client is: {@code X-Forwarded-For} (the de facto list of addresses) and
 * {@code Forwarded} (RFC 7239). Each appends this hop to what earlier proxies wrote, as one line: several lines of a
 * list header mean the same as their values joined with commas (RFC 9110 section 5.3), and one line is what the
 * origin's parser reads most surely.
 */
final class ForwardingHeaders {

    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String FORWARDED = "Forwarded";

    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private ForwardingHeaders() {
    }

    /** {@code X-Forwarded-For} with the client's address after the values in {@code headers}. */
    static HeaderEdit xForwardedFor(Headers headers, InetSocketAddress client) {
        return HeaderEdit.set(X_FORWARDED_FOR, appended(headers.getAll(X_FORWARDED_FOR), address(client)));
    }

    /**
     * {@code Forwarded} with the element {@code for=<client>;proto=<scheme>} after the values in {@code headers}. An
     * IPv6 address is quoted and bracketed, {@code for="[2001:db8::1]"}, as RFC 7239 section 6 requires (a colon is
     * not allowed in a token).
     */
    static HeaderEdit forwarded(Headers headers, ClientRequest request) {
        String element = "for=" + node(address(request.client())) + ";proto=" + scheme(request.target());
        return HeaderEdit.set(FORWARDED, appended(headers.getAll(FORWARDED), element));
    }

    private static String appended(List<String> earlier, String element) {
        StringBuilder value = new StringBuilder();
        for (String v : earlier) {
            // an empty line adds no element, and would leave ", , x" behind
            if (!v.isBlank()) {
                value.append(v.strip()).append(", ");
            }
        }
        return value.append(element).toString();
    }

    /**
     * The client's address as text: IPv4 dotted, IPv6 in the RFC 5952 form ({@code 2001:db8::1}, which the JDK does
     * not write) without a zone; for an unresolved address, its host string (an IP literal in it written the same).
     */
    static String address(InetSocketAddress client) {
        InetAddress address = client.getAddress();
        if (address != null) {
            return text(address.getAddress());
        }
        String host = client.getHostString();
        String bare = host.length() > 2 && host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host;
        byte[] literal = IpLiteral.parse(bare);
        return literal == null ? host : text(literal);
    }

    private static String text(byte[] address) {
        if (address.length == IpLiteral.IPV4_BYTES) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
                    + (address[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (address[2 * i] & 0xff) << 8 | (address[2 * i + 1] & 0xff);
        }
        // RFC 5952: the longest run of two or more zero groups (the first of equal ones) becomes "::"
        int zerosAt = -1;
        int zeros = 1;
        for (int i = 0; i < 8;) {
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > zeros) {
                zerosAt = i;
                zeros = end - i;
            }
            i = Math.max(end, i + 1);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == zerosAt) {
                out.append("::");
                i += zeros - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** The address as an RFC 7239 node: IPv4 or a token as it is, IPv6 bracketed and quoted, else quoted. */
    private static String node(String address) {
        if (address.indexOf(':') >= 0 && IpLiteral.parseIpv6(address) != null) {
            return "\"[" + address + "]\"";
        }
        return isToken(address) ? address : quoted(address);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The scheme the client asked for: {@code https} for an https:// target, else {@code http}. */
    private static String scheme(String target) {
        return target.regionMatches(true, 0, "https://", 0, 8) ? "https" : "http";
    }
}
