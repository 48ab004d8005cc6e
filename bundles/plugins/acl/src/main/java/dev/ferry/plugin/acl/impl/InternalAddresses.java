package dev.ferry.plugin.acl.impl;

import java.util.List;

/**
 * The addresses a proxy reachable from other machines must not connect to on a client's behalf unless told to
 * (Squid's {@code to_localhost} and the RFC 1918 ranges): they reach the proxy host itself or the network behind it,
 * not the Internet the client asked for.
 */
final class InternalAddresses {

    /** What {@code denyPrivateDestinations} covers, in the words its descriptions use. */
    static final String DESCRIPTION = "loopback, link-local, private or unspecified";

    private static final List<CidrBlock> RANGES = List.of(
            // "this network": 0.0.0.0 itself connects to the local host on Linux
            CidrBlock.parse("0.0.0.0/8"),
            CidrBlock.parse("127.0.0.0/8"),
            CidrBlock.parse("169.254.0.0/16"),
            CidrBlock.parse("10.0.0.0/8"),
            CidrBlock.parse("172.16.0.0/12"),
            CidrBlock.parse("192.168.0.0/16"),
            CidrBlock.parse("::/128"),
            CidrBlock.parse("::1/128"),
            CidrBlock.parse("fe80::/10"),
            // unique local addresses, and the site-local ones they replaced
            CidrBlock.parse("fc00::/7"),
            CidrBlock.parse("fec0::/10"));

    private InternalAddresses() {
    }

    static boolean contains(byte[] address) {
        for (CidrBlock range : RANGES) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
