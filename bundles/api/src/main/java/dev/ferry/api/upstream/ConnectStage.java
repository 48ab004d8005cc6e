package dev.ferry.api.upstream;

/** The stages of a connect job, in the order they run; each has its own timeout and its own error. */
public enum ConnectStage {
    /** TCP to the origin (DIRECT) or to the upstream proxy, including the name lookup. */
    TCP,
    /** TLS handshake with an HTTPS upstream proxy. */
    PROXY_TLS,
    /** The SOCKS4 or SOCKS5 handshake with a SOCKS upstream. */
    SOCKS,
    /** {@code CONNECT host:port} through an HTTP or HTTPS upstream proxy, including a 407 round. */
    TUNNEL,
    /** TLS handshake with the origin, for {@code https} groups that are not raw tunnels. */
    ORIGIN_TLS
}
