package dev.ferry.plugin.acl.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of {@code rules}: {@code allow|deny <condition> [<condition> ...]}, matching when every condition holds;
 * {@code allow}/{@code deny} alone, or with the single word {@code all}, match every request. The conditions that
 * look at the request alone are checked before the {@code dest=} ones, so a rule another condition rules out never
 * waits for a name to be resolved.
 *
 * <p>A {@code deny} answers {@code 403} with the most specific {@code Proxy-Status} error its conditions give:
 * {@code destination_ip_prohibited} for a rule with a {@code dest=} condition, else
 * {@code destination_port_prohibited} for one with a {@code port=} condition, else {@code http_request_denied}.
 */
final class AccessRule {

    private final int index;
    private final boolean allow;
    private final String text;
    private final List<Condition> requestConditions;
    private final List<Condition> destinationConditions;
    /** What this rule answers when it matches; the same object every time. */
    private final Decision decision;

    private AccessRule(int index, boolean allow, String text, List<Condition> conditions) {
        this.index = index;
        this.allow = allow;
        this.text = text;
        List<Condition> request = new ArrayList<>();
        List<Condition> destination = new ArrayList<>();
        for (Condition c : conditions) {
            (c.needsDestination() ? destination : request).add(c);
        }
        this.requestConditions = List.copyOf(request);
        this.destinationConditions = List.copyOf(destination);
        this.decision = allow ? Decision.PROCEED
                : Decision.deny(Verdict.deny(denialType(conditions), "denied by " + this), this.toString());
    }

    /**
     * @param index the entry's index in {@code rules}, for messages
     * @throws IllegalArgumentException naming the entry ({@code rules[i] '...'}) and the token that is wrong
     */
    static AccessRule parse(int index, String entry) {
        // "port=25, 465" and "port = 25" are what people write; the rule is shown as it is read
        String text = entry.strip().replaceAll("\\s*([=,])\\s*", "$1").replaceAll("\\s+", " ");
        String[] tokens = text.split(" ");
        String where = "rules[" + index + "] '" + text + "': ";
        String action = tokens[0].toLowerCase(Locale.ROOT);
        if (!action.equals("allow") && !action.equals("deny")) {
            throw new IllegalArgumentException(where + "starts with '" + tokens[0] + "'; a rule starts with allow or"
                    + " deny");
        }
        List<Condition> conditions = new ArrayList<>();
        for (int i = 1; i < tokens.length; i++) {
            if (tokens[i].equalsIgnoreCase("all")) {
                if (tokens.length != 2) {
                    throw new IllegalArgumentException(where + "'all' stands alone: '" + action + " all' matches every"
                            + " request, so it takes no conditions");
                }
                continue;
            }
            try {
                conditions.add(Condition.parse(tokens[i]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        }
        return new AccessRule(index, action.equals("allow"), text, conditions);
    }

    private static ProxyErrorType denialType(List<Condition> conditions) {
        ProxyErrorType type = ProxyErrorType.HTTP_REQUEST_DENIED;
        for (Condition c : conditions) {
            if (c.kind() == Condition.Kind.DEST) {
                return ProxyErrorType.DESTINATION_IP_PROHIBITED;
            }
            if (c.kind() == Condition.Kind.PORT) {
                type = ProxyErrorType.DESTINATION_PORT_PROHIBITED;
            }
        }
        return type;
    }

    boolean allows() {
        return allow;
    }

    /** Whether it matches every request: {@code allow}, {@code deny}, {@code allow all}, {@code deny all}. */
    boolean unconditional() {
        return requestConditions.isEmpty() && destinationConditions.isEmpty();
    }

    boolean has(Condition.Kind kind) {
        for (Condition c : requestConditions) {
            if (c.kind() == kind) {
                return true;
            }
        }
        return kind == Condition.Kind.DEST && !destinationConditions.isEmpty();
    }

    /** Whether it is a {@code deny} of every client outside some ranges: {@code deny client=!10.0.0.0/8}. */
    boolean deniesClientsOutsideRanges() {
        if (allow || requestConditions.isEmpty() || !destinationConditions.isEmpty()) {
            return false;
        }
        for (Condition c : requestConditions) {
            if (c.kind() != Condition.Kind.CLIENT || !c.negated()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the conditions that look at the request alone hold (true when there are none). */
    boolean matchesRequest(ClientRequest request) {
        for (Condition c : requestConditions) {
            if (!c.matches(request, null)) {
                return false;
            }
        }
        return true;
    }

    /** Whether it has {@code dest=} conditions, which need the destination's addresses. */
    boolean needsDestination() {
        return !destinationConditions.isEmpty();
    }

    /** Whether the {@code dest=} conditions hold for the destination's {@code addresses}. */
    boolean matchesDestination(ClientRequest request, byte[][] addresses) {
        for (Condition c : destinationConditions) {
            if (!c.matches(request, addresses)) {
                return false;
            }
        }
        return true;
    }

    /** What the rule answers when it matches. */
    Decision decision() {
        return decision;
    }

    /** As messages name it: {@code rules[2] (deny port=25)}. */
    @Override
    public String toString() {
        return "rules[" + index + "] (" + text + ")";
    }
}
