package dev.ferry.resolver.impl;

/**
 * One entry of a bypass list. Like Chromium's {@code SchemeHostPortMatcherRule}, a rule either says nothing about a
 * URL or gives a verdict; the last rule in the list with a verdict wins.
 */
interface BypassRule {

    /** What a rule says about a URL. */
    enum Verdict {
        /** The rule matches: go DIRECT. */
        BYPASS,
        /** The rule matches and forbids bypassing (only {@code <-loopback>} says this). */
        USE_PROXY,
        /** The rule does not apply to this URL. */
        NO_MATCH
    }

    Verdict evaluate(TargetUrl url);

    /** The rule in the syntax it was parsed from, normalized. */
    @Override
    String toString();
}
