/**
 * The codec SPI: server codecs (one per protocol a listener speaks), the client codec for forwarded requests, the
 * TLS protocol negotiator, the listener's closing signal and the life of a multiplexed stream. Netty pipelines and
 * messages; protocol authors implement it, plugin authors never need it.
 */
@Version("1.2.0")
@Export
package dev.ferry.api.codec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
