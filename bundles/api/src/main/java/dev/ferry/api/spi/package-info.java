/**
 * The runtime services every protocol shares: the {@link dev.ferry.api.spi.Transport} (event loops, bind, connect)
 * and the {@link dev.ferry.api.spi.TunnelRelay}. Codecs are in {@code dev.ferry.api.codec}, the upstream side
 * (pool, connector, leases) in {@code dev.ferry.api.upstream}; {@link dev.ferry.api.spi.LingeringClose}, how a
 * connection ends later. Plugin authors never need these packages.
 */
@Version("2.2.0")
@Export
package dev.ferry.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
