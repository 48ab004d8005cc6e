package dev.ferry.fetch;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.api.upstream.ConnectJobException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import java.util.concurrent.CancellationException;

/**
 * A fetch that did not get its whole response, named with the RFC 9209 error token the proxy would use
 * ({@code ferry-fetch: <token>: <message>}, exit status 1), or a run over {@code --max-time} (exit status 28, as curl).
 */
final class FetchFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** curl's "operation timed out". */
    static final int EXIT_TIMEOUT = 28;
    static final int EXIT_FAILED = 1;

    private final String token;
    private final int exitStatus;

    private FetchFailure(String token, String message, int exitStatus, Throwable cause) {
        super(message, cause);
        this.token = token;
        this.exitStatus = exitStatus;
    }

    static FetchFailure of(ProxyErrorType type, String message, Throwable cause) {
        return new FetchFailure(type.token(), message, EXIT_FAILED, cause);
    }

    static FetchFailure timedOut(long maxTimeNanos, String during) {
        return new FetchFailure("timeout", "operation timed out after " + maxTimeNanos / 1_000_000 + " ms "
                + during + " (--max-time)", EXIT_TIMEOUT, null);
    }

    /** The body could not be written ({@code write_error}, not a proxy error type: the network did its part). */
    static FetchFailure output(String where, IOException cause) {
        return new FetchFailure("write_error", "cannot write " + where + ": " + cause.getMessage(), EXIT_FAILED,
                cause);
    }

    /** Classifies a failure of the connector's future. */
    static FetchFailure connectFailed(Throwable cause) {
        if (cause instanceof ConnectJobException) {
            return of(((ConnectJobException) cause).errorType(), cause.getMessage(), cause);
        }
        if (cause instanceof ProxyResolutionException) {
            return of(ProxyErrorType.PROXY_CONFIGURATION_ERROR, cause.getMessage(), cause);
        }
        if (cause instanceof CancellationException) {
            return of(ProxyErrorType.PROXY_INTERNAL_ERROR, "the connect job was cancelled", cause);
        }
        return of(ProxyErrorType.PROXY_INTERNAL_ERROR, String.valueOf(cause), cause);
    }

    /** Classifies an exception from the pipeline while the request went out or the response came in. */
    static FetchFailure exchangeFailed(Throwable cause) {
        Throwable inner = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (inner instanceof PrematureChannelClosureException) {
            return of(ProxyErrorType.HTTP_RESPONSE_INCOMPLETE, inner.getMessage(), cause);
        }
        if (cause instanceof DecoderException) {
            return of(ProxyErrorType.HTTP_PROTOCOL_ERROR, "malformed response: " + inner.getMessage(), cause);
        }
        return of(ProxyErrorType.CONNECTION_TERMINATED, String.valueOf(inner.getMessage() != null
                ? inner.getMessage() : inner), cause);
    }

    /** The error token, e.g. {@code connection_refused}. */
    String token() {
        return token;
    }

    int exitStatus() {
        return exitStatus;
    }
}
