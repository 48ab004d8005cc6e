package dev.ferry.spdy.client;

import java.io.IOException;

/** TLS with the proxy completed but did not select {@code spdy/3.1}; the connection has been closed. */
public class NegotiationException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String negotiatedProtocol;
    private final String tlsVersion;

    public NegotiationException(String proxy, Negotiation negotiation, String negotiatedProtocol, String tlsVersion) {
        super("TLS with " + proxy + " (" + tlsVersion + ", " + negotiation.extension() + ") negotiated "
                + (negotiatedProtocol == null ? "no protocol" : negotiatedProtocol) + ", not "
                + Negotiation.SPDY_3_1);
        this.negotiatedProtocol = negotiatedProtocol;
        this.tlsVersion = tlsVersion;
    }

    /** The protocol TLS selected, or null when the proxy selected none. */
    public String negotiatedProtocol() {
        return negotiatedProtocol;
    }

    public String tlsVersion() {
        return tlsVersion;
    }
}
