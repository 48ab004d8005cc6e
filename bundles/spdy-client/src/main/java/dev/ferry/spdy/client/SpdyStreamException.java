package dev.ferry.spdy.client;

import java.io.IOException;

/**
 * A stream ended by RST_STREAM: sent by the proxy ({@link #sentByPeer()}), or by this client because the proxy broke
 * the protocol on the stream (for example {@code FLOW_CONTROL_ERROR} when it overran the stream's window).
 */
public class SpdyStreamException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int streamId;
    private final int status;
    private final boolean sentByPeer;

    public SpdyStreamException(int streamId, int status, boolean sentByPeer, String detail) {
        super(message(streamId, status, sentByPeer, detail));
        this.streamId = streamId;
        this.status = status;
        this.sentByPeer = sentByPeer;
    }

    /** A copy to throw on the caller's thread, keeping {@code cause} (thrown on the event loop) as its cause. */
    public SpdyStreamException(SpdyStreamException cause) {
        super(cause.getMessage(), cause);
        this.streamId = cause.streamId;
        this.status = cause.status;
        this.sentByPeer = cause.sentByPeer;
    }

    private static String message(int streamId, int status, boolean sentByPeer, String detail) {
        String text = "stream " + streamId + " reset by the " + (sentByPeer ? "proxy" : "client") + ": "
                + statusName(status) + " (" + status + ")";
        return detail == null || detail.isEmpty() ? text : text + ": " + detail;
    }

    public int streamId() {
        return streamId;
    }

    /** The RST_STREAM status code (1 PROTOCOL_ERROR … 11 FRAME_TOO_LARGE). */
    public int status() {
        return status;
    }

    public String statusName() {
        return statusName(status);
    }

    /** True when the proxy sent the RST_STREAM; false when this client reset the stream. */
    public boolean sentByPeer() {
        return sentByPeer;
    }

    /** The SPDY/3 name of a RST_STREAM status code. */
    public static String statusName(int status) {
        switch (status) {
            case 1:
                return "PROTOCOL_ERROR";
            case 2:
                return "INVALID_STREAM";
            case 3:
                return "REFUSED_STREAM";
            case 4:
                return "UNSUPPORTED_VERSION";
            case 5:
                return "CANCEL";
            case 6:
                return "INTERNAL_ERROR";
            case 7:
                return "FLOW_CONTROL_ERROR";
            case 8:
                return "STREAM_IN_USE";
            case 9:
                return "STREAM_ALREADY_CLOSED";
            case 10:
                return "INVALID_CREDENTIALS";
            case 11:
                return "FRAME_TOO_LARGE";
            default:
                return "UNKNOWN(" + status + ")";
        }
    }
}
