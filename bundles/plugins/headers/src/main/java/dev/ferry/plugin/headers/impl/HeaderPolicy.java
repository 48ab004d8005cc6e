package dev.ferry.plugin.headers.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Headers;
import dev.ferry.api.exchange.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * One configuration's header edits, parsed as a whole so that a change replaces them in one step and an exchange
 * never mixes old and new. Everything that does not depend on the request is built here once: the verdict with the
 * request rules' edits, and the response rules' edits.
 */
final class HeaderPolicy {

    private final List<HeaderRule> requestRules;
    private final List<HeaderRule> responseRules;
    private final boolean xForwardedFor;
    private final boolean forwarded;
    private final List<HeaderEdit> requestEdits;
    private final List<HeaderEdit> responseEdits;
    /** {@link Verdict#proceed()} with the request rules' edits, in order. */
    private final Verdict rulesVerdict;
    /** Whether a request rule changes X-Forwarded-For or Forwarded, which the appended value must then build on. */
    private final boolean rulesTouchForwarding;

    private HeaderPolicy(List<HeaderRule> requestRules, List<HeaderRule> responseRules, boolean xForwardedFor,
            boolean forwarded) {
        this.requestRules = requestRules;
        this.responseRules = responseRules;
        this.xForwardedFor = xForwardedFor;
        this.forwarded = forwarded;
        this.requestEdits = edits(requestRules);
        this.responseEdits = edits(responseRules);
        Verdict verdict = Verdict.proceed();
        boolean touch = false;
        for (HeaderRule rule : requestRules) {
            verdict = verdict.with(rule.edit());
            touch |= rule.touches(ForwardingHeaders.X_FORWARDED_FOR) || rule.touches(ForwardingHeaders.FORWARDED);
        }
        this.rulesVerdict = verdict;
        this.rulesTouchForwarding = touch;
    }

    /** @throws IllegalArgumentException naming the setting, the entry and what is wrong with it */
    static HeaderPolicy of(HeaderRulesHook.Config config) {
        return new HeaderPolicy(rules("requestHeaders", config.requestHeaders()),
                rules("responseHeaders", config.responseHeaders()), config.xForwardedFor(), config.forwarded());
    }

    private static List<HeaderRule> rules(String setting, String[] entries) {
        List<HeaderRule> rules = new ArrayList<>();
        for (int i = 0; entries != null && i < entries.length; i++) {
            // blank entries are what a form editor leaves
            if (entries[i] != null && !entries[i].isBlank()) {
                rules.add(HeaderRule.parse(setting, i, entries[i]));
            }
        }
        return List.copyOf(rules);
    }

    private static List<HeaderEdit> edits(List<HeaderRule> rules) {
        List<HeaderEdit> edits = new ArrayList<>(rules.size());
        for (HeaderRule rule : rules) {
            edits.add(rule.edit());
        }
        return List.copyOf(edits);
    }

    /** Whether there is anything to do: without it the hook is not registered, and costs no request anything. */
    boolean hasWork() {
        return !requestRules.isEmpty() || !responseRules.isEmpty() || xForwardedFor || forwarded;
    }

    /**
     * The request rules' edits, then X-Forwarded-For, then Forwarded; nothing for a CONNECT, whose headers never
     * reach an origin.
     */
    Verdict requestVerdict(ClientRequest request) {
        if (request.isConnect()) {
            return Verdict.proceed();
        }
        if (!xForwardedFor && !forwarded) {
            return rulesVerdict;
        }
        // the appended value follows what the rules left; copying the headers is needed only when a rule changed them
        Headers headers = rulesTouchForwarding ? request.headers().with(requestEdits) : request.headers();
        Verdict verdict = rulesVerdict;
        if (xForwardedFor) {
            verdict = verdict.with(ForwardingHeaders.xForwardedFor(headers, request.client()));
        }
        if (forwarded) {
            verdict = verdict.with(ForwardingHeaders.forwarded(headers, request));
        }
        return verdict;
    }

    /** The response rules' edits, in order; the same list every time. */
    List<HeaderEdit> responseEdits() {
        return responseEdits;
    }

    @Override
    public String toString() {
        if (!hasWork()) {
            return "nothing to do (no rules, xForwardedFor and forwarded off)";
        }
        return "requestHeaders " + requestRules + ", responseHeaders " + responseRules + ", xForwardedFor "
                + xForwardedFor + ", forwarded " + forwarded;
    }
}
