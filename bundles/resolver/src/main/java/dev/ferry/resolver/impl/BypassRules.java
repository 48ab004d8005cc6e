package dev.ferry.resolver.impl;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which URLs skip the proxy rules and go DIRECT: Chromium's {@code ProxyBypassRules}. The list is separated by
 * commas, semicolons or whitespace (see {@link BypassRuleParser} for one rule). The last rule with a verdict about a
 * URL decides; when none has one, the implicit rules decide ({@link ImplicitBypass}: localhost, loopback and
 * link-local destinations always go DIRECT unless the list says {@code <-loopback>}). Matching looks at the URL's
 * text only and never resolves a name.
 */
final class BypassRules {

    private final List<BypassRule> rules;

    private BypassRules(List<BypassRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** @throws IllegalArgumentException quoting the first rule that cannot be parsed */
    static BypassRules parse(String text) {
        Objects.requireNonNull(text, "text");
        List<BypassRule> rules = new ArrayList<>();
        for (String token : text.split("[,;\\s]+")) {
            if (!token.isEmpty()) {
                rules.add(BypassRuleParser.parse(token));
            }
        }
        return new BypassRules(rules);
    }

    /** Whether {@code url} goes DIRECT. */
    boolean matches(URI url) {
        return matches(TargetUrl.of(url));
    }

    boolean matches(TargetUrl url) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            switch (rules.get(i).evaluate(url)) {
                case BYPASS:
                    return true;
                case USE_PROXY:
                    return false;
                default:
                    break;
            }
        }
        return ImplicitBypass.matches(url);
    }

    /** The normalized rules, e.g. {@code [*.example.com, 10.0.0.0/8, <local>] + implicit localhost/link-local}. */
    @Override
    public String toString() {
        String list = rules.stream().map(BypassRule::toString).collect(Collectors.joining(", ", "[", "]"));
        boolean subtracted = rules.stream().anyMatch(r -> r instanceof SubtractImplicitBypassRule);
        return subtracted ? list : list + " + implicit localhost/loopback/link-local";
    }
}
