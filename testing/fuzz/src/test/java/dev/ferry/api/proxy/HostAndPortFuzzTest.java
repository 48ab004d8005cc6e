package dev.ferry.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.fuzz.Rejection;
import java.nio.charset.StandardCharsets;

/** {@code host:port} as request targets and rules carry it: parsed, or refused with a reason. */
class HostAndPortFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        for (int defaultPort : new int[] {-1, 80}) {
            HostAndPort parsed;
            try {
                parsed = HostAndPort.parse(text, defaultPort);
            } catch (IllegalArgumentException e) {
                Rejection.assertExplained(e);
                continue;
            }
            assertFalse(parsed.host().isEmpty(), "empty host from '" + text + "'");
            assertTrue(parsed.port() >= 1 && parsed.port() <= 65535, "port " + parsed.port());
            // What the proxy writes (Host headers, logs, the next hop's CONNECT) must read back as the same place.
            assertEquals(parsed, HostAndPort.parse(parsed.toString(), -1), "round trip of '" + text + "'");
        }
    }
}
