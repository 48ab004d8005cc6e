package dev.ferry.tls.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.fuzz.LeakWatch;
import dev.ferry.fuzz.Rejection;
import dev.ferry.tls.impl.ClientHelloExtensions.MalformedClientHelloException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The ClientHello body parser that picks the protocol before the handshake: parsed, or refused as malformed, without
 * touching the caller's buffer. Seeds are bodies (no record or handshake header) as the JDK's client sends them.
 */
class ClientHelloFuzzTest {

    private static final LeakWatch LEAKS = new LeakWatch("ClientHelloFuzzTest");

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(input.length).writeBytes(input);
        try {
            ClientHelloExtensions hello;
            try {
                hello = ClientHelloExtensions.parse(body);
            } catch (MalformedClientHelloException e) {
                Rejection.assertExplained(e);
                return;
            } finally {
                // read with absolute indices: the router hands the same bytes on to the TLS handler
                assertEquals(0, body.readerIndex(), "reader index moved");
                assertEquals(input.length, body.writerIndex(), "writer index moved");
                assertEquals(1, body.refCnt(), "reference count changed");
            }
            for (String protocol : hello.alpnProtocols()) {
                assertFalse(protocol.isEmpty(), "empty ALPN name in " + hello);
            }
            // an ALPN extension names at least one protocol (RFC 7301 3.1), else the hello is malformed
            assertEquals(hello.offersAlpn(), !hello.alpnProtocols().isEmpty(), "ALPN offered and names of " + hello);
            hello.toString();
        } finally {
            body.release();
        }
        LEAKS.afterInput();
    }
}
