package dev.ferry.api.plugin;

/** Thrown by a {@link ProxyDelegate} that refuses an upstream proxy's tunnel; the message reaches the client. */
public class TunnelRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public TunnelRejectedException(String message) {
        super(message);
    }
}
