package dev.ferry.api.upstream;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import java.io.IOException;
import java.util.Objects;

/**
 * A connect job failed at a known stage. The pool classifies the failure once, so that the engine can answer with
 * the right {@code Proxy-Status} and the connector knows whether Chromium would fall back to the next proxy.
 */
public class ConnectJobException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient ProxyServer proxy;
    private final ConnectStage stage;
    private final ProxyErrorType errorType;
    private final boolean fallback;

    /**
     * @param fallback true for the failures Chromium falls back on: the proxy itself is unreachable or broken
     *                 (refused, reset, closed, timed out, name not resolved, unreachable, TLS or SOCKS failure). A
     *                 CONNECT answered with an error status is not one.
     */
    public ConnectJobException(ProxyServer proxy, ConnectStage stage, ProxyErrorType errorType, boolean fallback,
            String message, Throwable cause) {
        super(message, cause);
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.stage = Objects.requireNonNull(stage, "stage");
        this.errorType = Objects.requireNonNull(errorType, "errorType");
        this.fallback = fallback && !proxy.isDirect();
    }

    /** The proxy the job went through, or DIRECT. */
    public ProxyServer proxy() {
        return proxy;
    }

    public ConnectStage stage() {
        return stage;
    }

    public ProxyErrorType errorType() {
        return errorType;
    }

    /** Whether the next proxy in the list should be tried (never for DIRECT). */
    public boolean fallback() {
        return fallback;
    }
}
