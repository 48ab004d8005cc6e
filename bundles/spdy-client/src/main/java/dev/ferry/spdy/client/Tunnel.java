package dev.ferry.spdy.client;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * A CONNECT stream: after the proxy's SYN_REPLY the stream's DATA frames carry the tunnel's bytes both ways.
 * <p>
 * {@link #input()} is flow controlled like {@link Response#body()}. {@link #output()} sends DATA frames only as far as
 * the proxy's stream and session windows allow; a write blocks (at most the session's timeout without progress) while
 * they are shut. Closing the output sends FIN: a half-close, after which the input still reads until the proxy's FIN.
 * When the proxy answered with another status than 200 the input carries the proxy's error body.
 */
public interface Tunnel extends AutoCloseable {

    int streamId();

    /** The status code from {@code :status}; 200 when the tunnel is up. */
    int status();

    /** The whole {@code :status} value, e.g. {@code "200 Connection established"}. */
    String statusLine();

    /** The reply's headers without pseudo-headers. */
    Map<String, List<String>> headers();

    /** Bytes from the destination; -1 after the proxy's FIN. Not for use by several threads. */
    InputStream input();

    /** Bytes to the destination; {@code close()} sends FIN. {@code flush()} does nothing: writes go out at once. */
    OutputStream output();

    /** Resets the stream with CANCEL (if it is still open) and drops unread data. */
    void cancel();

    /**
     * Ends the tunnel: when the proxy has not sent its FIN yet the stream is reset with CANCEL; otherwise our FIN is
     * sent if the output is still open.
     */
    @Override
    void close();
}
