package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.NegotiationException;
import dev.ferry.spdy.client.SpdyStreamException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns failures recorded on the event loop into exceptions thrown on the caller's thread (with its stack). */
final class Failures {

    private Failures() {
    }

    /** A fresh exception of the same kind as {@code failure}, which becomes its cause. */
    static IOException rethrowable(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof SpdyStreamException) {
            return new SpdyStreamException((SpdyStreamException) cause);
        }
        if (cause instanceof NegotiationException) {
            return (NegotiationException) cause;
        }
        if (cause instanceof IOException) {
            return new IOException(cause.getMessage(), cause);
        }
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        return new IOException(String.valueOf(cause), cause);
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static InterruptedIOException interrupted(String what) {
        Thread.currentThread().interrupt();
        return new InterruptedIOException("interrupted while " + what);
    }
}
