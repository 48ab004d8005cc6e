package dev.ferry.spdy.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * The proxy's answer on a request stream: SYN_REPLY's status and headers, and the body as it arrives in DATA frames.
 * <p>
 * The body is flow controlled: the proxy can send only the stream's window beyond what has been read, and each read
 * gives window back (WINDOW_UPDATE for the stream and the session once half a window has been read), so a slow reader
 * slows the proxy down. Read the body to its end or close the response; closing it early resets the stream with
 * CANCEL.
 */
public interface Response extends AutoCloseable {

    int streamId();

    /** The status code from {@code :status}, e.g. 200. */
    int status();

    /** The whole {@code :status} value, e.g. {@code "200 OK"}. */
    String statusLine();

    /** The {@code :version} value, e.g. {@code "HTTP/1.1"}. */
    String version();

    /** The reply's headers without the {@code :} pseudo-headers, names in lower case, in arrival order. */
    Map<String, List<String>> headers();

    /** The first value of a header (name in any case), or null. */
    String header(String name);

    /**
     * The body. A read blocks at most the session's timeout for data; a stream reset surfaces as
     * {@link SpdyStreamException} once the data received before it has been read. Not for use by several threads.
     */
    InputStream body();

    /** Reads the rest of the body. */
    byte[] bodyBytes() throws IOException;

    /** Reads the rest of the body and returns its SHA-256 as lower-case hex, holding none of it in memory. */
    String sha256() throws IOException;

    /** Resets the stream with CANCEL (if it is still open) and drops unread data. */
    void cancel();

    /** Same as {@link #cancel()} when the body was not read to its end; nothing otherwise. */
    @Override
    void close();
}
