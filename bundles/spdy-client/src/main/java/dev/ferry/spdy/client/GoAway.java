package dev.ferry.spdy.client;

/**
 * A GOAWAY frame received from the proxy.
 *
 * @param lastGoodStreamId the highest stream id the proxy says it processed; streams above it were not
 * @param statusCode the SPDY/3.1 session status: 0 OK, 1 PROTOCOL_ERROR, 2 INTERNAL_ERROR
 */
public record GoAway(int lastGoodStreamId, int statusCode) {

    /** The status code's name, e.g. {@code PROTOCOL_ERROR}, or {@code UNKNOWN(n)}. */
    public String statusName() {
        switch (statusCode) {
            case 0:
                return "OK";
            case 1:
                return "PROTOCOL_ERROR";
            case 2:
                return "INTERNAL_ERROR";
            default:
                return "UNKNOWN(" + statusCode + ")";
        }
    }

    @Override
    public String toString() {
        return "GOAWAY " + statusName() + " (" + statusCode + "), last good stream " + lastGoodStreamId;
    }
}
