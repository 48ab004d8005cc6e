package dev.ferry.api.proxy;

/**
 * Why a proxied exchange failed, as the error types of the RFC 9209 {@code Proxy-Status} header, each with the HTTP
 * status the client receives.
 */
public enum ProxyErrorType {
    DNS_ERROR("dns_error", 502),
    DNS_TIMEOUT("dns_timeout", 504),
    DESTINATION_NOT_FOUND("destination_not_found", 502),
    DESTINATION_UNAVAILABLE("destination_unavailable", 503),
    /** The proxy's policy does not allow that destination address (e.g. a private range through a public listener). */
    DESTINATION_IP_PROHIBITED("destination_ip_prohibited", 403),
    /**
     * The proxy's policy does not allow that destination port (e.g. CONNECT to a port not among the TLS ports). Not in
     * the RFC 9209 registry: Ferry's name, in its style.
     */
    DESTINATION_PORT_PROHIBITED("destination_port_prohibited", 403),
    CONNECTION_REFUSED("connection_refused", 502),
    CONNECTION_TIMEOUT("connection_timeout", 504),
    CONNECTION_TERMINATED("connection_terminated", 502),
    CONNECTION_LIMIT_REACHED("connection_limit_reached", 503),
    TLS_PROTOCOL_ERROR("tls_protocol_error", 502),
    TLS_CERTIFICATE_ERROR("tls_certificate_error", 502),
    HTTP_REQUEST_ERROR("http_request_error", 400),
    HTTP_REQUEST_DENIED("http_request_denied", 403),
    HTTP_REQUEST_HEADER_TOO_LARGE("http_request_error", 431),
    HTTP_REQUEST_LINE_TOO_LONG("http_request_error", 414),
    HTTP_RESPONSE_INCOMPLETE("http_response_incomplete", 502),
    HTTP_PROTOCOL_ERROR("http_protocol_error", 502),
    HTTP_RESPONSE_TIMEOUT("http_response_timeout", 504),
    /** An upstream proxy answered CONNECT with an error status (403, 502, ...): the next hop denied the tunnel. */
    UPSTREAM_REFUSED("http_request_denied", 502),
    /** An upstream proxy demands authentication (407) and none is configured, or it refused the credentials. */
    UPSTREAM_AUTH_REQUIRED("http_request_denied", 502),
    /** The proxy's own resolution settings failed (e.g. a PAC script that throws, with the FAIL policy). */
    PROXY_CONFIGURATION_ERROR("proxy_configuration_error", 500),
    PROXY_INTERNAL_ERROR("proxy_internal_error", 500),
    /**
     * The proxy ran out of something it needs for the exchange, such as file descriptors under the open files limit:
     * 503, worth a retry once load drops; the details name the limit.
     */
    PROXY_RESOURCE_EXHAUSTED("proxy_internal_error", 503);

    private final String token;
    private final int status;

    ProxyErrorType(String token, int status) {
        this.token = token;
        this.status = status;
    }

    /** The RFC 9209 error type token, e.g. {@code dns_error}. */
    public String token() {
        return token;
    }

    /** The HTTP status code sent to the client for this error. */
    public int status() {
        return status;
    }
}
