package dev.ferry.resolver.impl;

/**
 * The destinations Chromium never sends through a proxy unless the bypass list says {@code <-loopback>}: localhost
 * names ({@code localhost}, {@code *.localhost}, each also with a trailing dot), loopback addresses
 * ({@code 127.0.0.0/8}, {@code ::1}, {@code ::ffff:127.0.0.0/104}) and link-local addresses ({@code 169.254.0.0/16},
 * {@code fe80::/10}, {@code ::ffff:169.254.0.0/112}). Decided from the URL text only.
 */
final class ImplicitBypass {

    private ImplicitBypass() {
    }

    static boolean matches(TargetUrl url) {
        if (url.isIpLiteral()) {
            return isLoopbackOrLinkLocal(IpLiteral.toIpv6(url.address()));
        }
        String host = url.host().endsWith(".") ? url.host().substring(0, url.host().length() - 1) : url.host();
        return host.equals("localhost") || host.endsWith(".localhost");
    }

    /** @param address 16 bytes; IPv4 addresses arrive IPv4-mapped */
    private static boolean isLoopbackOrLinkLocal(byte[] address) {
        if (isIpv4Mapped(address)) {
            int first = address[12] & 0xff;
            int second = address[13] & 0xff;
            return first == 127 || (first == 169 && second == 254);
        }
        if ((address[0] & 0xff) == 0xfe && (address[1] & 0xc0) == 0x80) {
            return true;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }
}
