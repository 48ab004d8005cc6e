/**
 * A SPDY/3.1 client that drives a proxy the way Chrome's "SPDY proxy" support did: TLS to the proxy with ALPN or
 * NPN, {@code http://} requests as streams carrying the full URL, {@code https://} destinations as CONNECT tunnels on
 * streams, and SPDY/3.1 flow control in both directions. Made for tests and benchmarks; it trusts any certificate.
 * <p>
 * The types here are plain Java except the raw-frame escape hatch {@link dev.ferry.spdy.client.SpdySession#sendFrame},
 * which takes Netty's SPDY frame classes.
 */
@Version("0.1.0")
@Export
package dev.ferry.spdy.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
