package dev.ferry.resolver.impl;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class IpLiteralTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    public void exactIpv4Literals() {
        assertArrayEquals(bytes(127, 0, 0, 1), IpLiteral.parse("127.0.0.1"));
        assertArrayEquals(bytes(255, 255, 255, 255), IpLiteral.parse("255.255.255.255"));
        assertArrayEquals(bytes(0, 0, 0, 0), IpLiteral.parse("0.0.0.0"));
        for (String bad : new String[] {"", "1", "127.1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..3.4",
            "1.2.3.4.", ".1.2.3", "a.b.c.d", "1.2.3.-4", "1.2.3.4 ", "0x7f.0.0.1", "1000.2.3.4", "١.2.3.4"}) {
            assertNull(bad, IpLiteral.parse(bad));
        }
    }

    @Test
    public void ipv6LiteralsWithCompressionAndIpv4Tails() {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        assertArrayEquals(loopback, IpLiteral.parse("::1"));
        assertArrayEquals(loopback, IpLiteral.parse("0:0:0:0:0:0:0:1"));
        assertArrayEquals(loopback, IpLiteral.parse("0000:0::0:1"));
        assertArrayEquals(new byte[16], IpLiteral.parse("::"));
        assertArrayEquals(bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                IpLiteral.parse("2001:DB8::"));
        assertArrayEquals(bytes(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd),
                IpLiteral.parse("fe80::abcd"));
        assertArrayEquals(bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3),
                IpLiteral.parse("::ffff:10.1.2.3"));
        assertArrayEquals(bytes(0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0),
                IpLiteral.parse("1:2:3:4:5:6:7::"));
        assertArrayEquals(bytes(0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4),
                IpLiteral.parse("1:2:3:4:5:6:1.2.3.4"));
        for (String bad : new String[] {":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::", ":1::", "1::2:", "1.2.3.4::",
            "::1.2.3", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:1.2.3.4"}) {
            assertNull(bad, IpLiteral.parse(bad));
        }
    }

    @Test
    public void prefixComparisonAndIpv4Mapping() {
        byte[] mapped = IpLiteral.toIpv6(bytes(192, 168, 1, 1));
        assertArrayEquals(IpLiteral.parse("::ffff:192.168.1.1"), mapped);
        assertEquals(true, IpLiteral.samePrefix(mapped, IpLiteral.parse("::ffff:192.168.200.7"), 96 + 16));
        assertEquals(false, IpLiteral.samePrefix(mapped, IpLiteral.parse("::ffff:192.169.0.0"), 96 + 16));
        assertEquals(true, IpLiteral.samePrefix(IpLiteral.parse("fe80::"), IpLiteral.parse("febf::1"), 10));
        assertEquals(false, IpLiteral.samePrefix(IpLiteral.parse("fe80::"), IpLiteral.parse("fec0::1"), 10));
        assertEquals(true, IpLiteral.samePrefix(IpLiteral.parse("2001:db8::"), IpLiteral.parse("::"), 0));
    }
}
