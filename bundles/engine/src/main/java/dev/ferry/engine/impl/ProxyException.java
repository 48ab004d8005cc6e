package dev.ferry.engine.impl;

/** Carries a classified {@link ProxyError} through a failure path that takes a Throwable. */
final class ProxyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient ProxyError error;

    ProxyException(ProxyError error) {
        super(error.toString(), null, false, false);
        this.error = error;
    }

    ProxyError error() {
        return error;
    }
}
