package dev.ferry.resolver.impl;

/**
 * {@code <-loopback>}: the URLs {@link ImplicitBypass} would send DIRECT go through the proxy after all, unless a
 * later rule in the list bypasses them again.
 */
final class SubtractImplicitBypassRule implements BypassRule {

    static final String TOKEN = "<-loopback>";

    @Override
    public Verdict evaluate(TargetUrl url) {
        return ImplicitBypass.matches(url) ? Verdict.USE_PROXY : Verdict.NO_MATCH;
    }

    @Override
    public String toString() {
        return TOKEN;
    }
}
