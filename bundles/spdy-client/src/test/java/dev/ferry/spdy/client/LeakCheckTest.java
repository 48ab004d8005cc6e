package dev.ferry.spdy.client;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.Test;

/** The leak check the other tests rely on does catch a leaked buffer. */
public class LeakCheckTest extends LeakCheckedTest {

    @Test
    public void aLeakedBufferIsReported() throws Exception {
        leakExpected = true;
        List<String> leaks;
        try {
            leak();
            leaks = collectLeaks();
        } finally {
            leakExpected = false;
        }
        assertFalse("the leak was not reported", leaks.isEmpty());
        assertTrue(leaks.get(0), leaks.get(0).contains("ByteBuf"));
    }

    private static void leak() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buffer.writeLong(42);
        // dropped without release
    }
}
