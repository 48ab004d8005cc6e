/**
 * The plugin API: {@link dev.ferry.api.plugin.ProxyDelegate} and the plain values it sees. Nothing here is Netty;
 * a plugin bundle needs only this package and {@code dev.ferry.api.proxy}.
 */
@Version("1.0.0")
@Export
package dev.ferry.api.plugin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
