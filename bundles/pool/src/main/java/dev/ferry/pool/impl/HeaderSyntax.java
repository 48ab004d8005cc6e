package dev.ferry.pool.impl;

/** RFC 9110 field syntax, for headers that come from plugins: a token name and a value without control characters. */
final class HeaderSyntax {

    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HeaderSyntax() {
    }

    static boolean isValid(String name, String value) {
        if (name == null || value == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || TOKEN_SYMBOLS.indexOf(c) >= 0)) {
                return false;
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    /** The name with anything unprintable replaced, for a log line. */
    static String printable(String name) {
        return name == null ? "null" : name.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
