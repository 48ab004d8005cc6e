/**
 * The protocol SPI: transports, codecs, negotiators, tunnels and pools speak Netty channels and pipelines.
 * Plugin authors never need this package; protocol authors implement it.
 */
@Version("1.2.0")
@Export
package dev.ferry.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
