package dev.ferry.plugin.acl.impl;

import java.util.Locale;

/**
 * A destination host pattern of {@code host=}, compared without regard to case and to a trailing dot:
 * {@code example.com} is that name only; {@code *.example.com} (or Squid's spelling {@code .example.com}) is
 * example.com itself and every name under it, at any depth, so that a rule about a site cannot be sidestepped by
 * leaving out the {@code www}; {@code *} is every host. Host names only: the text is compared, never resolved (an IPv4
 * literal written the same way matches; ranges of addresses are {@code dest=}'s job).
 */
final class HostPattern {

    private static final int MAX_NAME = 253;

    /** The name, lower case, without the wildcard; empty for {@code *}. */
    private final String name;
    private final boolean withSubdomains;

    private HostPattern(String name, boolean withSubdomains) {
        this.name = name;
        this.withSubdomains = withSubdomains;
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code text} */
    static HostPattern parse(String text) {
        if (text.equals("*")) {
            return new HostPattern("", true);
        }
        boolean withSubdomains = text.startsWith("*.") || text.startsWith(".");
        String name = text.substring(text.startsWith("*.") ? 2 : text.startsWith(".") ? 1 : 0);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.length() > MAX_NAME || name.startsWith(".") || name.contains("..")) {
            throw new IllegalArgumentException("'" + text + "' is not a host name pattern (example.com,"
                    + " *.example.com or *)");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '*') {
                throw new IllegalArgumentException("'" + text + "': '*' may only stand alone or start a pattern,"
                        + " as in *.example.com");
            }
            if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-' && c != '_'
                    && c != '.') {
                throw new IllegalArgumentException("'" + text + "' has '" + c + "', which no host name has (for"
                        + " IP addresses and ranges use dest=)");
            }
        }
        return new HostPattern(name.toLowerCase(Locale.ROOT), withSubdomains);
    }

    boolean matches(String host) {
        int length = host.endsWith(".") ? host.length() - 1 : host.length();
        if (name.isEmpty()) {
            return true;
        }
        if (length == name.length()) {
            return host.regionMatches(true, 0, name, 0, length);
        }
        return withSubdomains && length > name.length() && host.charAt(length - name.length() - 1) == '.'
                && host.regionMatches(true, length - name.length(), name, 0, name.length());
    }

    @Override
    public String toString() {
        return name.isEmpty() ? "*" : withSubdomains ? "*." + name : name;
    }
}
