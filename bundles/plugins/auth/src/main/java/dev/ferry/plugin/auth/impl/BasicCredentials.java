package dev.ferry.plugin.auth.impl;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The user name and password of a {@code Proxy-Authorization: Basic <base64(user:password)>} header (RFC 7617),
 * decoded as UTF-8. The password is kept as a {@code char[]} so that it can be wiped once verified.
 */
final class BasicCredentials {

    /** What a header value holds. */
    enum Kind {
        /** No header, or another scheme: the client has not tried Basic yet. */
        NONE,
        /** Basic, but not base64 of valid UTF-8 {@code user:password}: a failed attempt. */
        MALFORMED,
        /** A user name and password to verify. */
        CREDENTIALS
    }

    private static final String SCHEME = "Basic";
    private static final BasicCredentials NONE = new BasicCredentials(Kind.NONE, null, null);
    private static final BasicCredentials MALFORMED = new BasicCredentials(Kind.MALFORMED, null, null);

    private final Kind kind;
    private final String user;
    private final char[] password;

    private BasicCredentials(Kind kind, String user, char[] password) {
        this.kind = kind;
        this.user = user;
        this.password = password;
    }

    /** @param header the {@code Proxy-Authorization} value, or null */
    static BasicCredentials parse(String header) {
        if (header == null) {
            return NONE;
        }
        String value = stripWhiteSpace(header);
        int end = 0;
        while (end < value.length() && !isWhiteSpace(value.charAt(end))) {
            end++;
        }
        // The scheme is case-insensitive (RFC 9110 11.1).
        if (!value.substring(0, end).equalsIgnoreCase(SCHEME)) {
            return NONE;
        }
        String token = stripWhiteSpace(value.substring(end));
        if (token.isEmpty()) {
            return MALFORMED;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return MALFORMED;
        }
        char[] text;
        try {
            text = utf8(decoded);
        } catch (CharacterCodingException e) {
            return MALFORMED;
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
        // The user-id cannot contain a colon; the password can (RFC 7617 2).
        int colon = indexOf(text, ':');
        if (colon < 0) {
            Arrays.fill(text, '\0');
            return MALFORMED;
        }
        String user = new String(text, 0, colon);
        char[] password = Arrays.copyOfRange(text, colon + 1, text.length);
        Arrays.fill(text, '\0');
        return new BasicCredentials(Kind.CREDENTIALS, user, password);
    }

    Kind kind() {
        return kind;
    }

    /** The user name, for {@link Kind#CREDENTIALS}. */
    String user() {
        return user;
    }

    /** The password itself (not a copy), for {@link Kind#CREDENTIALS}; {@link #wipe()} clears it. */
    char[] password() {
        return password;
    }

    /** Overwrites the password, once it has been verified. */
    void wipe() {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }

    /** Strict: bytes that are not UTF-8 make the credentials malformed rather than a different password. */
    private static char[] utf8(byte[] bytes) throws CharacterCodingException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
        char[] text = new char[chars.remaining()];
        chars.get(text);
        if (chars.hasArray()) {
            Arrays.fill(chars.array(), '\0');
        }
        return text;
    }

    private static int indexOf(char[] text, char c) {
        for (int i = 0; i < text.length; i++) {
            if (text[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isWhiteSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static String stripWhiteSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isWhiteSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isWhiteSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Never the password. */
    @Override
    public String toString() {
        return kind == Kind.CREDENTIALS ? "Basic credentials of " + user : kind.toString();
    }
}
