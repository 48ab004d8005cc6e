package dev.ferry.itests;

import java.io.IOException;

/** A request or tunnel that went wrong in a way the client checked itself (a status, a body, a digest), by kind. */
final class ExchangeFailure extends IOException {

    private static final long serialVersionUID = 1L;

    /** A short name for the table, e.g. {@code status-503}, {@code wrong-body}, {@code tunnel-digest}. */
    final String kind;

    ExchangeFailure(String kind, String message) {
        super(message);
        this.kind = kind;
    }
}
