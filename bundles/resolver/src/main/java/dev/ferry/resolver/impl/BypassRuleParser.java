package dev.ferry.resolver.impl;

import java.util.Locale;

/**
 * Parses one bypass rule the way Chromium's {@code ProxyBypassRules::ParseRule} reads it:
 * <ul>
 * <li>{@code <local>} and {@code <-loopback>} (any case);</li>
 * <li>an optional {@code scheme://} restriction in front of any of the following;</li>
 * <li>a CIDR block when the rule has a slash: {@code 10.0.0.0/8}, {@code fe80::/10}, {@code [fe80::]/10};</li>
 * <li>an exact IP literal with an optional port: {@code 10.1.2.3}, {@code 10.1.2.3:8080}, {@code [::1]},
 * {@code [::1]:8080}, {@code ::1};</li>
 * <li>otherwise a host pattern with an optional port: {@code *.example.com}, {@code foo*.com:443}, and
 * {@code .example.com}, which means {@code *.example.com}.</li>
 * </ul>
 * Chromium skips a rule it cannot parse; Ferry rejects the whole list instead, so a typo never silently sends
 * traffic through (or around) a proxy.
 */
final class BypassRuleParser {

    private BypassRuleParser() {
    }

    /** @throws IllegalArgumentException naming the rule and what is wrong with it */
    static BypassRule parse(String raw) {
        String rule = raw.trim().toLowerCase(Locale.ROOT);
        if (rule.equals(SimpleHostnamesRule.TOKEN)) {
            return new SimpleHostnamesRule();
        }
        if (rule.equals(SubtractImplicitBypassRule.TOKEN)) {
            return new SubtractImplicitBypassRule();
        }
        if (rule.startsWith("<")) {
            throw bad(raw, "unknown special rule (known: " + SimpleHostnamesRule.TOKEN + ", "
                    + SubtractImplicitBypassRule.TOKEN + ")");
        }
        String scheme = null;
        int schemeEnd = rule.indexOf("://");
        if (schemeEnd >= 0) {
            scheme = rule.substring(0, schemeEnd);
            rule = rule.substring(schemeEnd + 3);
            if (!isScheme(scheme)) {
                throw bad(raw, "'" + scheme + "' is not a URL scheme");
            }
        }
        if (rule.isEmpty()) {
            throw bad(raw, "no host");
        }
        if (rule.indexOf('/') >= 0) {
            return ipBlock(raw, scheme, rule);
        }
        BypassRule ipRule = ipHost(raw, scheme, rule);
        return ipRule != null ? ipRule : hostPattern(raw, scheme, rule);
    }

    private static BypassRule ipBlock(String raw, String scheme, String rule) {
        int slash = rule.indexOf('/');
        String addressText = unbracket(rule.substring(0, slash));
        byte[] address = IpLiteral.parse(addressText);
        if (address == null) {
            throw bad(raw, "'" + rule.substring(0, slash) + "' is not an IP address (a rule with '/' is a CIDR "
                    + "block such as 192.168.0.0/16 or fe80::/10)");
        }
        int maxBits = address.length * 8;
        int bits = digits(rule.substring(slash + 1), maxBits);
        if (bits < 0) {
            throw bad(raw, "prefix length '" + rule.substring(slash + 1) + "' is not a number from 0 to " + maxBits);
        }
        return new IpBlockRule(scheme, address, bits, addressText + "/" + bits);
    }

    /** An IP literal rule, or null when {@code rule} is no IP literal (then it is a host pattern). */
    private static BypassRule ipHost(String raw, String scheme, String rule) {
        String host;
        String portText = null;
        if (rule.startsWith("[")) {
            int close = rule.indexOf(']');
            if (close < 0) {
                throw bad(raw, "unterminated IPv6 literal");
            }
            host = rule.substring(1, close);
            String rest = rule.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw bad(raw, "unexpected '" + rest + "' after the IPv6 literal");
                }
                portText = rest.substring(1);
            }
            if (IpLiteral.parseIpv6(host) == null) {
                throw bad(raw, "'" + host + "' is not an IPv6 address");
            }
        } else if (rule.indexOf(':') != rule.lastIndexOf(':')) {
            // Several colons and no brackets: a bare IPv6 literal, which cannot carry a port.
            host = rule;
            if (IpLiteral.parseIpv6(host) == null) {
                throw bad(raw, "'" + host + "' is not an IPv6 address (write [v6]:port to add a port)");
            }
        } else {
            int colon = rule.indexOf(':');
            host = colon >= 0 ? rule.substring(0, colon) : rule;
            portText = colon >= 0 ? rule.substring(colon + 1) : null;
            if (IpLiteral.parseIpv4(host) == null) {
                return null;
            }
        }
        return new IpHostRule(scheme, IpLiteral.parse(host), host, port(raw, portText));
    }

    private static BypassRule hostPattern(String raw, String scheme, String rule) {
        int colon = rule.lastIndexOf(':');
        String pattern = colon >= 0 ? rule.substring(0, colon) : rule;
        int port = port(raw, colon >= 0 ? rule.substring(colon + 1) : null);
        if (pattern.isEmpty()) {
            throw bad(raw, "no host");
        }
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'
                    || c == '*' || c == '?';
            if (!allowed) {
                throw bad(raw, "'" + c + "' cannot appear in a host pattern (letters, digits, '.', '-', '_', "
                        + "and the wildcards '*' and '?')");
            }
        }
        return new HostPatternRule(scheme, pattern.startsWith(".") ? "*" + pattern : pattern, port);
    }

    private static int port(String raw, String portText) {
        if (portText == null) {
            return TargetUrl.NO_PORT;
        }
        int port = digits(portText, 65535);
        if (port < 1) {
            throw bad(raw, "port '" + portText + "' is not a number from 1 to 65535");
        }
        return port;
    }

    /** The value of a string of 1-5 ASCII digits if it is at most {@code max}, else -1. */
    private static int digits(String text, int max) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    private static boolean isScheme(String scheme) {
        if (scheme.isEmpty() || scheme.charAt(0) < 'a' || scheme.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < scheme.length(); i++) {
            char c = scheme.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static String unbracket(String text) {
        return text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    }

    private static IllegalArgumentException bad(String raw, String why) {
        return new IllegalArgumentException("bypass rule '" + raw.trim() + "': " + why);
    }
}
