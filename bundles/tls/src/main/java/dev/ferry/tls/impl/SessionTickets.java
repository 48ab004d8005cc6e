package dev.ferry.tls.impl;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/**
 * TLS session tickets on BoringSSL's contexts and engines, on or off ({@code sessionTickets}). Netty makes every
 * BoringSSL context with tickets off, which leaves TLS 1.2 clients the session-ID cache, and turns them on again in
 * each engine it makes for TLS 1.3 (BoringSSL resumes TLS 1.3 only with tickets), unless the JVM's
 * {@code jdk.tls.server.enableSessionTicketExtension} is false. Without keys of ours BoringSSL makes its own per
 * context, random and in memory, and rotates them.
 */
final class SessionTickets {

    private SessionTickets() {
    }

    /** Tickets for TLS 1.2 too, on a BoringSSL context; other engines' contexts are left as they are. */
    static SslContext enable(SslContext context) {
        if (context.sessionContext() instanceof OpenSslSessionContext) {
            ((OpenSslSessionContext) context.sessionContext()).setTicketKeys();
        }
        return context;
    }

    /** No ticket from this connection's BoringSSL engine (made with tickets off in its context), TLS 1.3 included. */
    static void refuse(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine) {
            ReferenceCountedOpenSslEngine boringSsl = (ReferenceCountedOpenSslEngine) engine;
            synchronized (boringSsl) {
                SSL.setOptions(boringSsl.sslPointer(), SSL.SSL_OP_NO_TICKET);
            }
        }
    }
}
