package dev.ferry.plugin.headers.impl;

import dev.ferry.api.exchange.HeaderEdit;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One entry of {@code requestHeaders} or {@code responseHeaders}: {@code set <Name>: <value>} (replace every value),
 * {@code add <Name>: <value>} (one more value) or {@code remove <Name>}. The word is read without regard to case;
 * spaces and tabs around the entry, the name and the value are dropped. Names are RFC 9110 tokens; values have no
 * CR, LF, NUL or other control character but tab, and no character beyond ISO-8859-1 (header values are bytes, and
 * the proxy would write such a character as '?'). Headers the proxy owns are refused: a rule for one would break the
 * message's framing, the connection's management, the target or the proxy's authentication.
 */
final class HeaderRule {

    private static final String SYNTAX = "a rule is 'set Name: value', 'add Name: value' or 'remove Name'";
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    /** The headers the proxy owns (lower case), with why, for the message that refuses a rule for one. */
    private static final Map<String, String> OWNED = Map.ofEntries(
            Map.entry("content-length", "it frames the message"),
            Map.entry("transfer-encoding", "it frames the message"),
            Map.entry("connection", "hop-by-hop, managed per connection"),
            Map.entry("keep-alive", "hop-by-hop, managed per connection"),
            Map.entry("proxy-connection", "hop-by-hop, managed per connection"),
            Map.entry("upgrade", "hop-by-hop, managed per connection"),
            Map.entry("te", "hop-by-hop, managed per connection"),
            Map.entry("trailer", "hop-by-hop, managed per connection"),
            Map.entry("host", "set from the request's target"),
            Map.entry("proxy-authorization", "the proxy's own authentication"),
            Map.entry("proxy-authenticate", "the proxy's own authentication"));

    /** Headers whose values are credentials: messages and the log show their length instead. */
    private static final Set<String> SECRET = Set.of("authorization", "cookie", "set-cookie");

    private final HeaderEdit edit;

    private HeaderRule(HeaderEdit edit) {
        this.edit = edit;
    }

    /**
     * @param setting {@code requestHeaders} or {@code responseHeaders}, for messages
     * @param index the entry's index in the setting, for messages
     * @throws IllegalArgumentException naming the entry ({@code requestHeaders[1] 'set X-Foo': ...}) and what is
     *                                  wrong with it
     */
    static HeaderRule parse(String setting, int index, String entry) {
        String text = stripOws(entry);
        String where = setting + "[" + index + "] '" + shown(text) + "': ";
        int space = firstOws(text);
        String first = space < 0 ? text : text.substring(0, space);
        String word = first.toLowerCase(Locale.ROOT);
        String rest = space < 0 ? "" : stripOws(text.substring(space));
        try {
            switch (word) {
                case "set":
                case "add":
                    return new HeaderRule(nameAndValue(word, rest));
                case "remove":
                    return new HeaderRule(HeaderEdit.remove(nameOnly(rest)));
                default:
                    throw new IllegalArgumentException("starts with '" + printable(first) + "'; " + SYNTAX);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static HeaderEdit nameAndValue(String word, String rest) {
        int colon = rest.indexOf(':');
        String name = colon < 0 ? "" : stripOws(rest.substring(0, colon));
        if (name.isEmpty()) {
            String article = word.equals("add") ? "an " : "a ";
            throw new IllegalArgumentException(article + word + " rule needs 'Name: value'");
        }
        checkName(name);
        String value = stripOws(rest.substring(colon + 1));
        checkValue(value);
        return word.equals("set") ? HeaderEdit.set(name, value) : HeaderEdit.add(name, value);
    }

    private static String nameOnly(String rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("a remove rule needs 'Name'");
        }
        if (rest.indexOf(':') >= 0 || firstOws(rest) >= 0) {
            throw new IllegalArgumentException("a remove rule takes a header name only: 'remove Name'");
        }
        checkName(rest);
        return rest;
    }

    private static void checkName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!token) {
                throw new IllegalArgumentException("'" + printable(name) + "' is not a header name (an RFC 9110"
                        + " token)");
            }
        }
        String owned = OWNED.get(name.toLowerCase(Locale.ROOT));
        if (owned != null) {
            throw new IllegalArgumentException("'" + name + "' is the proxy's own header (" + owned
                    + ") and cannot be configured");
        }
    }

    private static void checkValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("a header value must not contain CR, LF or NUL");
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("a header value must not contain control characters");
            }
            if (c > 0xff) {
                throw new IllegalArgumentException("a header value must be ISO-8859-1 (found '" + c + "')");
            }
        }
    }

    HeaderEdit edit() {
        return edit;
    }

    /** Whether this rule changes the header {@code name}. */
    boolean touches(String name) {
        return edit.name().equalsIgnoreCase(name);
    }

    /** The rule as read, a credential's value hidden. */
    @Override
    public String toString() {
        String word = edit.op().name().toLowerCase(Locale.ROOT);
        if (edit.value() == null) {
            return word + " " + edit.name();
        }
        return word + " " + edit.name() + ": " + (isSecret(edit.name()) ? hidden(edit.value()) : edit.value());
    }

    /** The entry for a message: one line, a credential's value hidden. */
    private static String shown(String text) {
        int colon = text.indexOf(':');
        int space = firstOws(text);
        if (colon > space && space >= 0) {
            if (isSecret(stripOws(text.substring(space, colon)))) {
                return printable(text.substring(0, colon + 1)) + " " + hidden(stripOws(text.substring(colon + 1)));
            }
        }
        return printable(text);
    }

    private static boolean isSecret(String name) {
        return SECRET.contains(name.toLowerCase(Locale.ROOT));
    }

    private static String hidden(String value) {
        return "(secret, " + value.length() + " characters)";
    }

    private static int firstOws(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    /** Without spaces and tabs around: RFC 9110's optional white space (a CR or LF stays, to be refused). */
    private static String stripOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Control characters as escapes, so that a message stays on one log line. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
