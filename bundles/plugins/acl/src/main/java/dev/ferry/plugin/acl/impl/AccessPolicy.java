package dev.ferry.plugin.acl.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One configuration's access policy, parsed as a whole so that a change replaces it in one step. A request is
 * decided in this order:
 * <ol>
 * <li>{@code connectPorts}: a CONNECT to a port not listed is denied ({@code destination_port_prohibited});</li>
 * <li>{@code rules}, in order: the first rule that matches decides; an {@code allow} ends the evaluation, so it also
 * lets through a destination the next step would refuse;</li>
 * <li>{@code denyPrivateDestinations}: a request no rule allowed, taken on a listener socket that is not a loopback
 * address, to a destination that is (or whose name resolves to, any of its addresses) a {@link InternalAddresses
 * loopback, link-local, private or unspecified} address, is denied ({@code destination_ip_prohibited});</li>
 * <li>otherwise the request proceeds.</li>
 * </ol>
 * A name is resolved only when a step needs its addresses and no earlier one decided: {@link #decide} says so with
 * {@link Decision#NEEDS_LOOKUP}, and is asked again with the addresses.
 */
final class AccessPolicy {

    private final PortRanges connectPorts;
    private final boolean denyPrivateDestinations;
    private final List<AccessRule> rules;
    private final boolean restrictsClients;

    private AccessPolicy(PortRanges connectPorts, boolean denyPrivateDestinations, List<AccessRule> rules) {
        this.connectPorts = connectPorts;
        this.denyPrivateDestinations = denyPrivateDestinations;
        this.rules = rules;
        this.restrictsClients = restrictsClients(rules);
    }

    /** @throws IllegalArgumentException naming the setting, the entry and what is wrong with it */
    static AccessPolicy of(AccessControlHook.Config config) {
        return new AccessPolicy(connectPorts(config.connectPorts()), config.denyPrivateDestinations(),
                rules(config.rules()));
    }

    /** Each entry a port, a range, or several of them separated by commas or spaces (as an untyped file gives). */
    private static PortRanges connectPorts(String[] entries) {
        List<String> items = new ArrayList<>();
        for (int i = 0; entries != null && i < entries.length; i++) {
            if (entries[i] == null) {
                continue;
            }
            List<String> entryItems = Arrays.asList(entries[i].strip().split("[,\\s]+"));
            try {
                PortRanges.parse(entryItems);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("connectPorts[" + i + "]: " + e.getMessage(), e);
            }
            items.addAll(entryItems);
        }
        return PortRanges.parse(items);
    }

    private static List<AccessRule> rules(String[] entries) {
        List<AccessRule> rules = new ArrayList<>();
        for (int i = 0; entries != null && i < entries.length; i++) {
            // blank entries are what a form editor leaves
            if (entries[i] != null && !entries[i].isBlank()) {
                rules.add(AccessRule.parse(i, entries[i]));
            }
        }
        return List.copyOf(rules);
    }

    /**
     * Whether the rules refuse clients by their address, which tells the engine that a listener on a public address
     * is not an open proxy. True when, before the first unconditional rule, there is a {@code deny} whose only
     * conditions are negated {@code client=} ({@code deny client=!10.0.0.0/8}), or when that first unconditional rule
     * is a {@code deny} ({@code deny} or {@code deny all}) after a rule with a {@code client=} condition (the usual
     * {@code allow client=10.0.0.0/8 ...}, then {@code deny all}). Rules after an unconditional rule are never
     * reached, so they do not count. This trusts the operator's ranges: it does not check that they are narrow.
     */
    static boolean restrictsClients(List<AccessRule> rules) {
        boolean clientRuleSeen = false;
        for (AccessRule rule : rules) {
            if (rule.unconditional()) {
                return !rule.allows() && clientRuleSeen;
            }
            if (rule.deniesClientsOutsideRanges()) {
                return true;
            }
            clientRuleSeen |= rule.has(Condition.Kind.CLIENT);
        }
        return false;
    }

    boolean restrictsClients() {
        return restrictsClients;
    }

    /**
     * @param resolved the destination's addresses once its name is resolved (none if it does not resolve); null
     *                 before: an IP literal is then read from the host, a name needs a lookup
     * @return the decision, or {@link Decision#NEEDS_LOOKUP} when {@code resolved} is null and a step needs the
     *         addresses of a name
     */
    Decision decide(ClientRequest request, byte[][] resolved) {
        if (request.isConnect() && !connectPorts.isEmpty() && !connectPorts.contains(request.port())) {
            return Decision.deny(Verdict.deny(ProxyErrorType.DESTINATION_PORT_PROHIBITED, "CONNECT to port "
                    + request.port() + " is not allowed (connectPorts)"), "connectPorts (" + connectPorts + ")");
        }
        byte[][] destination = resolved;
        for (AccessRule rule : rules) {
            if (!rule.matchesRequest(request)) {
                continue;
            }
            if (rule.needsDestination()) {
                if (destination == null && (destination = literal(request.host())) == null) {
                    return Decision.NEEDS_LOOKUP;
                }
                if (!rule.matchesDestination(request, destination)) {
                    continue;
                }
            }
            return rule.decision();
        }
        if (!denyPrivateDestinations || loopback(request.local().getAddress())) {
            return Decision.PROCEED;
        }
        if (destination == null && (destination = literal(request.host())) == null) {
            return Decision.NEEDS_LOOKUP;
        }
        for (byte[] address : destination) {
            if (InternalAddresses.contains(address)) {
                return privateDestination(request.host(), address);
            }
        }
        return Decision.PROCEED;
    }

    /** The host's address when it is an IP literal, else null. */
    private static byte[][] literal(String host) {
        byte[] address = IpLiteral.parse(host);
        return address == null ? null : new byte[][] {address};
    }

    /** An unresolved listener address (as in tests of the engine) is taken as reachable from elsewhere. */
    private static boolean loopback(InetAddress listener) {
        return listener != null && listener.isLoopbackAddress();
    }

    private static Decision privateDestination(String host, byte[] address) {
        String shown = text(address);
        boolean literal = IpLiteral.parse(host) != null;
        // the client is not told which internal address a name has: that would map the network behind the proxy
        String text = "destination " + host + (literal ? " is a " : " resolves to a ") + InternalAddresses.DESCRIPTION
                + " address (denyPrivateDestinations)";
        return Decision.deny(Verdict.deny(ProxyErrorType.DESTINATION_IP_PROHIBITED, text),
                "denyPrivateDestinations (" + (literal ? shown : host + " is " + shown) + ")");
    }

    private static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException impossible) {
            // getByAddress only refuses lengths other than 4 and 16, and addresses are never made otherwise
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (AccessRule rule : rules) {
            shown.add(rule.toString());
        }
        return "connectPorts [" + connectPorts + "], denyPrivateDestinations " + denyPrivateDestinations
                + ", rules " + shown + (restrictsClients ? " (restricting clients)" : "");
    }
}
