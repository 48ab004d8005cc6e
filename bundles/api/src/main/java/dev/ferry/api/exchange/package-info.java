/**
 * The exchange hooks: plugins that see every client request (HTTP/1.1 request, CONNECT, SPDY stream) before the
 * upstream side is asked, and answer continue (possibly with changed headers or target, or an established user),
 * deny or challenge; that may edit the headers of the origin's response; and that get a summary of each exchange when
 * it ends. Plain Java values only: a plugin bundle needs this package and {@code dev.ferry.api.proxy}.
 */
@Version("1.0.0")
@Export
package dev.ferry.api.exchange;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
