/**
 * The upstream SPI: proxy resolution with fallback ({@link dev.ferry.api.upstream.UpstreamConnector}), the
 * connection pool and its connect jobs, and the {@link dev.ferry.api.upstream.UpstreamLease} an exchange holds for
 * one upstream connection. Netty channels; plugin authors never need it.
 */
@Version("1.2.0")
@Export
package dev.ferry.api.upstream;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
