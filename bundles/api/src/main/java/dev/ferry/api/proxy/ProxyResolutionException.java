package dev.ferry.api.proxy;

/**
 * A resolver could not produce a proxy list for a URL and its configured policy is to fail the request (for example
 * a PAC script that threw or ran out of time). The message says why; the client gets a
 * {@link ProxyErrorType#PROXY_CONFIGURATION_ERROR}.
 */
public class ProxyResolutionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProxyResolutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
