package dev.ferry.plugin.acl.impl;

import dev.ferry.api.exchange.ClientRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One condition of a rule, {@code key=value[,value...]}: it holds when the request matches one of the values, or,
 * with {@code !} before the values ({@code port=!443}), when it matches none of them. Each kind is a subclass here;
 * all but {@code dest=} look at the request alone, {@code dest=} at the destination's addresses.
 */
abstract class Condition {

    /** The condition keys, as written in a rule. */
    enum Kind {
        CLIENT, LISTENER, USER, METHOD, HOST, DEST, PORT;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String KEYS = "client=, listener=, user=, method=, host=, dest= or port=";
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private final Kind kind;
    private final boolean negated;
    private final String text;

    private Condition(Kind kind, boolean negated, String text) {
        this.kind = kind;
        this.negated = negated;
        this.text = text;
    }

    /** @throws IllegalArgumentException naming {@code token} and what is wrong with it */
    static Condition parse(String token) {
        int equals = token.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException("'" + token + "' is not a condition (key=value); expected " + KEYS
                    + ", or 'all' alone");
        }
        Kind kind;
        try {
            kind = Kind.valueOf(token.substring(0, equals).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown condition '" + token + "'; expected " + KEYS);
        }
        String value = token.substring(equals + 1);
        boolean negated = value.startsWith("!");
        List<String> items = List.of((negated ? value.substring(1) : value).split(",", -1));
        if (items.contains("")) {
            throw new IllegalArgumentException("'" + token + "' has an empty value; give "
                    + kind.key() + "=<value>[,<value>...]");
        }
        String text = kind.key() + "=" + value;
        try {
            return create(kind, negated, text, items);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("in '" + token + "', " + e.getMessage());
        }
    }

    private static Condition create(Kind kind, boolean negated, String text, List<String> items) {
        switch (kind) {
            case CLIENT:
                return new Client(negated, text, blocks(items));
            case DEST:
                return new Dest(negated, text, blocks(items));
            case LISTENER:
                return new Listener(negated, text, Set.copyOf(items));
            case USER:
                return new User(negated, text, items);
            case METHOD:
                return new Method(negated, text, methods(items));
            case HOST:
                return new Host(negated, text, items);
            case PORT:
                return new Port(negated, text, PortRanges.parse(items));
            default:
                throw new AssertionError(kind);
        }
    }

    Kind kind() {
        return kind;
    }

    boolean negated() {
        return negated;
    }

    /** Whether it looks at the destination's addresses, which a name has only once it is resolved. */
    boolean needsDestination() {
        return kind == Kind.DEST;
    }

    /**
     * @param destination the destination's addresses; may be null when {@link #needsDestination()} is false
     */
    final boolean matches(ClientRequest request, byte[][] destination) {
        return test(request, destination) != negated;
    }

    /** Whether the request matches one of the values. */
    abstract boolean test(ClientRequest request, byte[][] destination);

    @Override
    public String toString() {
        return text;
    }

    private static List<CidrBlock> blocks(List<String> items) {
        List<CidrBlock> blocks = new ArrayList<>(items.size());
        for (String item : items) {
            blocks.add(CidrBlock.parse(item));
        }
        return List.copyOf(blocks);
    }

    private static boolean inAny(List<CidrBlock> blocks, byte[] address) {
        for (CidrBlock block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> methods(List<String> items) {
        List<String> methods = new ArrayList<>(items.size());
        for (String item : items) {
            for (int i = 0; i < item.length(); i++) {
                char c = item.charAt(i);
                if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')
                        && TOKEN_SYMBOLS.indexOf(c) < 0) {
                    throw new IllegalArgumentException("'" + item + "' is not an HTTP method");
                }
            }
            // methods are case-sensitive, and every method anyone configures is upper case
            methods.add(item.toUpperCase(Locale.ROOT));
        }
        return Set.copyOf(methods);
    }

    /** {@code client=}: the client's address is in one of the ranges. */
    private static final class Client extends Condition {
        private final List<CidrBlock> blocks;

        Client(boolean negated, String text, List<CidrBlock> blocks) {
            super(Kind.CLIENT, negated, text);
            this.blocks = blocks;
        }

        @Override
        boolean test(ClientRequest request, byte[][] destination) {
            InetAddress client = request.client().getAddress();
            return client != null && inAny(blocks, IpLiteral.of(client));
        }
    }

    /**
     * {@code dest=}: one of the destination's addresses (the literal, or what the name resolves to) is in a range. A
     * name that does not resolve has no address, so it is in no range (and {@code dest=!...} holds for it).
     */
    private static final class Dest extends Condition {
        private final List<CidrBlock> blocks;

        Dest(boolean negated, String text, List<CidrBlock> blocks) {
            super(Kind.DEST, negated, text);
            this.blocks = blocks;
        }

        @Override
        boolean test(ClientRequest request, byte[][] destination) {
            for (byte[] address : destination) {
                if (inAny(blocks, address)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code listener=}: the listener's name, exactly. */
    private static final class Listener extends Condition {
        private final Set<String> names;

        Listener(boolean negated, String text, Set<String> names) {
            super(Kind.LISTENER, negated, text);
            this.names = names;
        }

        @Override
        boolean test(ClientRequest request, byte[][] destination) {
            return names.contains(request.listener());
        }
    }

    /** {@code user=}: the authenticated user's name exactly; {@code *} any user, {@code -} no user. */
    private static final class User extends Condition {
        private final Set<String> names;
        private final boolean anyUser;
        private final boolean noUser;

        User(boolean negated, String text, List<String> items) {
            super(Kind.USER, negated, text);
            this.anyUser = items.contains("*");
            this.noUser = items.contains("-");
            this.names = Set.copyOf(items);
        }

        @Override
        boolean test(ClientRequest request, byte[][] destination) {
            String user = request.user();
            return user == null ? noUser : anyUser || names.contains(user);
        }
    }

    /** {@code method=}: the request method. */
    private static final class Method extends Condition {
        private final Set<String> methods;

        Method(boolean negated, String text, Set<String> methods) {
            super(Kind.METHOD, negated, text);
            this.methods = methods;
        }

        @Override
        boolean test(ClientRequest request, byte[][] destination) {
            return methods.contains(request.method());
        }
    }

    /** {@code port=}: the destination port. */
    private static final class Port extends Condition {
        private final PortRanges ports;

        Port(boolean negated, String text, PortRanges ports) {
            super(Kind.PORT, negated, text);
            this.ports = ports;
        }

        @Override
        boolean test(ClientRequest request, byte[][] destination) {
            return ports.contains(request.port());
        }
    }

    /** {@code host=}: the destination host as the client wrote it, against {@link HostPattern}s. */
    private static final class Host extends Condition {
        private final List<HostPattern> patterns;

        Host(boolean negated, String text, List<String> items) {
            super(Kind.HOST, negated, text);
            List<HostPattern> parsed = new ArrayList<>(items.size());
            for (String item : items) {
                parsed.add(HostPattern.parse(item));
            }
            this.patterns = List.copyOf(parsed);
        }

        @Override
        boolean test(ClientRequest request, byte[][] destination) {
            String host = request.host();
            for (HostPattern pattern : patterns) {
                if (pattern.matches(host)) {
                    return true;
                }
            }
            return false;
        }
    }
}
