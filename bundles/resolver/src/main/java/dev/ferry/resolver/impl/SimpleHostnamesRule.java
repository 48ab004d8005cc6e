package dev.ferry.resolver.impl;

/**
 * {@code <local>}: bypasses host names without a dot ({@code intranet}, {@code printer}) but not IP literals. As in
 * Chromium (and WinInet, where the name comes from), it has nothing to do with localhost or loopback addresses.
 */
final class SimpleHostnamesRule implements BypassRule {

    static final String TOKEN = "<local>";

    @Override
    public Verdict evaluate(TargetUrl url) {
        return url.host().indexOf('.') < 0 && !url.isIpLiteral() ? Verdict.BYPASS : Verdict.NO_MATCH;
    }

    @Override
    public String toString() {
        return TOKEN;
    }
}
