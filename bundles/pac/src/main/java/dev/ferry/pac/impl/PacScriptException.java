package dev.ferry.pac.impl;

/**
 * A PAC script could not be loaded, or could not answer for one URL. The message is the whole story, e.g.
 * "PAC script file:///x.pac did not return within 500 ms for http://a/", ready for a log line or a
 * {@link dev.ferry.api.proxy.ProxyResolutionException}.
 */
final class PacScriptException extends Exception {

    private static final long serialVersionUID = 1L;

    PacScriptException(String message) {
        super(message);
    }

    PacScriptException(String message, Throwable cause) {
        super(message, cause);
    }
}
