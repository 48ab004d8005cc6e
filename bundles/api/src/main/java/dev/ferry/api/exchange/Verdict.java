package dev.ferry.api.exchange;

import dev.ferry.api.proxy.ProxyErrorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A hook's answer to a request: proceed (possibly with header edits, a new target, or the user it authenticated),
 * deny with a status and a {@code Proxy-Status} error type, or challenge for credentials ({@code 407} with
 * {@code Proxy-Authenticate}). Immutable: the {@code with...} methods return new verdicts.
 */
public final class Verdict {

    /** What the verdict does with the request. */
    public enum Kind {
        PROCEED, DENY, CHALLENGE
    }

    private static final Verdict PROCEED = new Verdict(Kind.PROCEED, 0, null, null, List.of(), null, null);

    private final Kind kind;
    private final int status;
    private final ProxyErrorType errorType;
    private final String text;
    /** Header edits for PROCEED; {@code Proxy-Authenticate} (and other) response headers for DENY and CHALLENGE. */
    private final List<HeaderEdit> headerEdits;
    private final String target;
    private final String user;

    private Verdict(Kind kind, int status, ProxyErrorType errorType, String text, List<HeaderEdit> headerEdits,
            String target, String user) {
        this.kind = kind;
        this.status = status;
        this.errorType = errorType;
        this.text = text;
        this.headerEdits = headerEdits;
        this.target = target;
        this.user = user;
    }

    /** Lets the request pass, as it is. */
    public static Verdict proceed() {
        return PROCEED;
    }

    /** Refuses the request with {@code type}'s status (e.g. 403 for the {@code destination_*} and denied types). */
    public static Verdict deny(ProxyErrorType type, String text) {
        return deny(type.status(), type, text);
    }

    /**
     * Refuses the request with {@code status} (4xx or 5xx), {@code Proxy-Status} error {@code type} and a short
     * {@code text} for the client and the log.
     */
    public static Verdict deny(int status, ProxyErrorType type, String text) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a denial's status is 4xx or 5xx, not " + status);
        }
        return new Verdict(Kind.DENY, status, Objects.requireNonNull(type, "type"), Objects.requireNonNull(text),
                List.of(), null, null);
    }

    /**
     * Asks for credentials: {@code 407} with one {@code Proxy-Authenticate} header per challenge, e.g.
     * {@code Basic realm="ferry", charset="UTF-8"}.
     */
    public static Verdict challenge(String text, String... proxyAuthenticate) {
        if (proxyAuthenticate.length == 0) {
            throw new IllegalArgumentException("a challenge needs at least one Proxy-Authenticate value");
        }
        List<HeaderEdit> challenges = new ArrayList<>();
        for (String value : proxyAuthenticate) {
            challenges.add(HeaderEdit.add("Proxy-Authenticate", value));
        }
        return new Verdict(Kind.CHALLENGE, 407, ProxyErrorType.HTTP_REQUEST_DENIED, Objects.requireNonNull(text),
                Collections.unmodifiableList(challenges), null, null);
    }

    /** This verdict with one more edit: of the request headers (PROCEED) or of the error response's. */
    public Verdict with(HeaderEdit edit) {
        List<HeaderEdit> edits = new ArrayList<>(headerEdits);
        edits.add(Objects.requireNonNull(edit));
        return new Verdict(kind, status, errorType, text, Collections.unmodifiableList(edits), target, user);
    }

    /** This PROCEED verdict, sending the request to {@code newTarget} (an absolute URL, or host:port for CONNECT). */
    public Verdict withTarget(String newTarget) {
        requireProceed();
        return new Verdict(kind, status, errorType, text, headerEdits, Objects.requireNonNull(newTarget), user);
    }

    /** This PROCEED verdict, naming the user the hook authenticated (seen by later hooks and in the access log). */
    public Verdict withUser(String authenticated) {
        requireProceed();
        return new Verdict(kind, status, errorType, text, headerEdits, target, Objects.requireNonNull(authenticated));
    }

    private void requireProceed() {
        if (kind != Kind.PROCEED) {
            throw new IllegalStateException("only a PROCEED verdict has a target or a user");
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The status of a DENY (4xx/5xx) or CHALLENGE (407); 0 for PROCEED. */
    public int status() {
        return status;
    }

    /** The {@code Proxy-Status} error type of a DENY or CHALLENGE; null for PROCEED. */
    public ProxyErrorType errorType() {
        return errorType;
    }

    /** The text of a DENY or CHALLENGE; null for PROCEED. */
    public String text() {
        return text;
    }

    public List<HeaderEdit> headerEdits() {
        return headerEdits;
    }

    /** The new target of a PROCEED, or null to keep it. */
    public String target() {
        return target;
    }

    /** The user a PROCEED established, or null. */
    public String user() {
        return user;
    }

    @Override
    public String toString() {
        return kind + (status == 0 ? "" : " " + status) + (text == null ? "" : " " + text)
                + (headerEdits.isEmpty() ? "" : " " + headerEdits) + (target == null ? "" : " -> " + target)
                + (user == null ? "" : " user=" + user);
    }
}
