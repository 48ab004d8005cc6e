package dev.ferry.plugin.headers.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The client's address as X-Forwarded-For and Forwarded write it: IPv6 in the RFC 5952 form, which the JDK's
 * {@code getHostAddress()} does not give ({@code 2001:db8:0:0:0:0:0:1}), and without a zone.
 */
public class ClientAddressTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static String address(String literal) {
        return ForwardingHeaders.address(new InetSocketAddress(literal, 1));
    }

    @Test
    public void ipv4AsItIs() {
        assertEquals("192.0.2.7", address("192.0.2.7"));
        assertEquals("0.0.0.0", address("0.0.0.0"));
        assertEquals("255.255.255.255", address("255.255.255.255"));
    }

    @Test
    public void ipv6InTheRfc5952Form() {
        assertEquals("2001:db8::1", address("2001:db8:0:0:0:0:0:1"));
        assertEquals("::1", address("::1"));
        assertEquals("::", address("::"));
        assertEquals("fe80::", address("fe80:0:0:0:0:0:0:0"));
        assertEquals("lower case, no leading zeros", "2001:db8:a::b", address("2001:0DB8:000A:0:0:0:0:000B"));
        assertEquals("the longest run of zeros", "2001:0:0:1::1", address("2001:0:0:1:0:0:0:1"));
        assertEquals("the first of equal runs", "2001:db8::1:0:0:1", address("2001:db8:0:0:1:0:0:1"));
        assertEquals("a single zero group stays", "2001:db8:0:1:1:1:1:1", address("2001:db8:0:1:1:1:1:1"));
    }

    @Test
    public void anIpv4MappedClientIsItsIpv4Address() {
        assertEquals("192.0.2.7", address("::ffff:192.0.2.7"));
    }

    @Test
    public void aZoneIsLeftOut() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        Inet6Address scoped = Inet6Address.getByAddress(null, linkLocal, 3);
        assertEquals("fe80::1", ForwardingHeaders.address(new InetSocketAddress(scoped, 1)));
    }
}
