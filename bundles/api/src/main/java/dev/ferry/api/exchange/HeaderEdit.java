package dev.ferry.api.exchange;

import java.util.Objects;

/** One change to a header section: set (replace every value), add (one more value) or remove a header. */
public final class HeaderEdit {

    /** What the edit does. */
    public enum Op {
        SET, ADD, REMOVE
    }

    private final Op op;
    private final String name;
    private final String value;

    private HeaderEdit(Op op, String name, String value) {
        this.op = op;
        this.name = requireToken(name);
        this.value = value;
    }

    public static HeaderEdit set(String name, String value) {
        return new HeaderEdit(Op.SET, name, requireValue(value));
    }

    public static HeaderEdit add(String name, String value) {
        return new HeaderEdit(Op.ADD, name, requireValue(value));
    }

    public static HeaderEdit remove(String name) {
        return new HeaderEdit(Op.REMOVE, name, null);
    }

    public Op op() {
        return op;
    }

    public String name() {
        return name;
    }

    /** The value, or null for {@link Op#REMOVE}. */
    public String value() {
        return value;
    }

    private static String requireToken(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("not a header name: " + name);
            }
        }
        return name;
    }

    private static String requireValue(String value) {
        Objects.requireNonNull(value, "value");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("header value with CR, LF or NUL");
            }
        }
        return value;
    }

    @Override
    public String toString() {
        return op + " " + name + (value == null ? "" : ": " + value);
    }
}
