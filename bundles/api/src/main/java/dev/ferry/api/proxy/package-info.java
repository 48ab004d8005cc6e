/**
 * Plain-Java proxy values for plugins and resolvers: no Netty type appears here.
 */
@Version("1.2.0")
@Export
package dev.ferry.api.proxy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
