package dev.ferry.tunnel.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/**
 * Tunnels between two {@link EmbeddedChannel}s; a held flush on the upstream side plays the slow reader whose
 * buffered bytes stop the client being read. Idle timeouts take real time (Netty's idle handler reads the system
 * clock, not the embedded loop's), a second or two per test.
 */
public class BackpressureTunnelRelayTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    private static BackpressureTunnelRelay.Config config(int maxBufferedBytes, int idleTimeoutSeconds) {
        return Converters.standardConverter().convert(Map.of("maxBufferedBytes", maxBufferedBytes,
                "idleTimeoutSeconds", idleTimeoutSeconds)).to(BackpressureTunnelRelay.Config.class);
    }

    /** One relayed tunnel: the channel to the client and the one to the upstream. */
    private final class Tunnel {
        final EmbeddedChannel client = channel();
        final EmbeddedChannel upstream = channel();

        Tunnel(BackpressureTunnelRelay relay) {
            relay.relay(client, upstream);
        }

        /** The upstream stops taking bytes: what the relay writes to it stays queued, as for a slow reader. */
        Tunnel slowUpstream() {
            upstream.pipeline().addFirst("slow-reader", new ChannelOutboundHandlerAdapter() {
                @Override
                public void flush(ChannelHandlerContext ctx) {
                    // held: the queued bytes count against the write-buffer high-water mark
                }
            });
            return this;
        }

        void fromClient(int bytes) {
            client.writeInbound(Unpooled.wrappedBuffer(new byte[bytes]));
        }

        boolean clientRead() {
            return client.config().isAutoRead();
        }

        boolean open() {
            return client.isOpen() && upstream.isOpen();
        }

        /** Runs the timers that are due, as the channels' event loops would. */
        void runTimers() {
            client.runPendingTasks();
            upstream.runPendingTasks();
        }
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return ch;
    }

    private void idleFor(long millis, Tunnel... tunnels) throws InterruptedException {
        Thread.sleep(millis);
        for (Tunnel tunnel : tunnels) {
            tunnel.runTimers();
        }
    }

    @After
    public void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    public void newTunnelsGetTheChangedBufferLimitAndTunnelsInFlightKeepTheirs() {
        BackpressureTunnelRelay relay = new BackpressureTunnelRelay(config(4096, 600));
        Tunnel before = new Tunnel(relay).slowUpstream();

        relay.modified(config(65536, 600));
        Tunnel after = new Tunnel(relay).slowUpstream();

        before.fromClient(8192);
        after.fromClient(8192);
        assertFalse("8 KiB queued for a slow reader is over the 4 KiB this tunnel started with", before.clientRead());
        assertTrue("8 KiB is within the 64 KiB of the changed configuration", after.clientRead());
        after.fromClient(65536);
        assertFalse(after.clientRead());
        assertEquals(65536, after.upstream.config().getWriteBufferWaterMark().high());
        assertEquals(4096, before.upstream.config().getWriteBufferWaterMark().high());
    }

    @Test
    public void newTunnelsGetTheChangedIdleTimeoutAndTunnelsInFlightKeepTheirs() throws InterruptedException {
        BackpressureTunnelRelay relay = new BackpressureTunnelRelay(config(1 << 20, 1));
        Tunnel before = new Tunnel(relay);

        relay.modified(config(1 << 20, 3));
        Tunnel after = new Tunnel(relay);

        idleFor(1500, before, after);
        assertFalse("idle past the 1 s it started with", before.open());
        assertTrue("the changed 3 s apply", after.open());
        idleFor(2000, after);
        assertFalse(after.open());
        assertEquals(0, relay.openTunnels());
    }

    @Test
    public void anInvalidChangeKeepsTheLimitsInForce() throws InterruptedException {
        BackpressureTunnelRelay relay = new BackpressureTunnelRelay(config(4096, 1));
        relay.modified(config(100, 600));
        relay.modified(config(65536, -1));
        Tunnel tunnel = new Tunnel(relay).slowUpstream();
        tunnel.fromClient(8192);
        assertFalse("still the 4 KiB limit", tunnel.clientRead());
        idleFor(1500, tunnel);
        assertFalse("still the 1 s idle timeout", tunnel.open());
    }

    @Test
    public void tunnelsInFlightOutliveTheRelaysDeactivation() {
        BackpressureTunnelRelay relay = new BackpressureTunnelRelay(config(1 << 20, 600));
        Tunnel tunnel = new Tunnel(relay);
        relay.deactivate();

        assertTrue(tunnel.open());
        tunnel.client.writeInbound(Unpooled.copiedBuffer("after stop", StandardCharsets.US_ASCII));
        ByteBuf up = tunnel.upstream.readOutbound();
        assertEquals("after stop", up.toString(StandardCharsets.US_ASCII));
        up.release();
        tunnel.upstream.writeInbound(Unpooled.copiedBuffer("and back", StandardCharsets.US_ASCII));
        ByteBuf down = tunnel.client.readOutbound();
        assertEquals("and back", down.toString(StandardCharsets.US_ASCII));
        down.release();
        assertEquals(1, relay.openTunnels());

        tunnel.client.close();
        tunnel.upstream.runPendingTasks();
        assertFalse("the tunnel still ends when its client leaves", tunnel.upstream.isOpen());
        assertEquals(0, relay.openTunnels());
    }
}
