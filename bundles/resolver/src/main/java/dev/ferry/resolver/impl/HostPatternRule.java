package dev.ferry.resolver.impl;

/** {@code [scheme://]host-pattern[:port]}, e.g. {@code *.example.com}, {@code foo*.com:8080}, {@code https://a.test}. */
final class HostPatternRule implements BypassRule {

    private final String scheme;
    private final WildcardPattern pattern;
    private final int port;

    /**
     * @param scheme lowercased, or null for any scheme
     * @param pattern lowercased host pattern with {@code *} and {@code ?}
     * @param port the port the URL must have, or {@link TargetUrl#NO_PORT} for any
     */
    HostPatternRule(String scheme, String pattern, int port) {
        this.scheme = scheme;
        this.pattern = new WildcardPattern(pattern);
        this.port = port;
    }

    @Override
    public Verdict evaluate(TargetUrl url) {
        if (port != TargetUrl.NO_PORT && url.port() != port) {
            return Verdict.NO_MATCH;
        }
        if (scheme != null && !scheme.equals(url.scheme())) {
            return Verdict.NO_MATCH;
        }
        return pattern.matches(url.host()) ? Verdict.BYPASS : Verdict.NO_MATCH;
    }

    @Override
    public String toString() {
        return (scheme == null ? "" : scheme + "://") + pattern + (port == TargetUrl.NO_PORT ? "" : ":" + port);
    }
}
