package dev.ferry.transport.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Assume;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/** Real sockets on 127.0.0.1: what connections get before and after {@link NettyTransport#modified}. */
public class NettyTransportTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private final List<NettyTransport> transports = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final List<ServerSocket> origins = new ArrayList<>();
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();

    /** One event loop, NIO, one lookup thread, no drain wait, plus {@code settings} as key, value pairs. */
    private static NettyTransport.Config config(Object... settings) {
        Map<String, Object> map = new HashMap<>(Map.of("eventLoopThreads", 1, "nativeTransport", false,
                "resolverThreads", 1, "drainTimeoutSeconds", 0));
        for (int i = 0; i < settings.length; i += 2) {
            map.put((String) settings[i], settings[i + 1]);
        }
        return Converters.standardConverter().convert(map).to(NettyTransport.Config.class);
    }

    private NettyTransport transport(Object... settings) {
        NettyTransport transport = new NettyTransport(config(settings));
        transports.add(transport);
        return transport;
    }

    @After
    public void close() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        for (ServerSocket origin : origins) {
            origin.close();
        }
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly();
        }
        for (Channel ch : accepted) {
            ch.close().awaitUninterruptibly();
        }
        for (NettyTransport transport : transports) {
            transport.deactivate();
            transport.eventLoops().terminationFuture().await(10, TimeUnit.SECONDS);
        }
    }

    /** A listening socket whose accepted connections go to {@link #accepted}. */
    private Channel listen(NettyTransport transport, InetSocketAddress address) {
        ChannelFuture bound = transport.bind(address, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                accepted.add(ch);
            }
        }).awaitUninterruptibly();
        assertTrue("bind " + address + ": " + bound.cause(), bound.isSuccess());
        channels.add(bound.channel());
        return bound.channel();
    }

    /** A client connects; returns the connection the listening socket accepted. */
    private Channel accept(Channel server) throws IOException, InterruptedException {
        sockets.add(new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()));
        Channel ch = accepted.poll(10, TimeUnit.SECONDS);
        assertNotNull("nothing accepted", ch);
        return ch;
    }

    /** A plain server the transport connects to; the kernel completes the connections, nobody reads them. */
    private ServerSocket origin() throws IOException {
        ServerSocket origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        origins.add(origin);
        return origin;
    }

    private Channel connect(NettyTransport transport, InetSocketAddress address) {
        ChannelFuture connected = transport.connect(transport.eventLoops().next(), address, 5000,
                new ChannelInboundHandlerAdapter()).awaitUninterruptibly();
        assertTrue("connect " + address + ": " + connected.cause(), connected.isSuccess());
        channels.add(connected.channel());
        return connected.channel();
    }

    /** Queues {@code bytes} on the connection without flushing: is it still writable, i.e. under its mark? */
    private static boolean writableWith(Channel ch, int bytes) throws Exception {
        return ch.eventLoop().submit(() -> {
            ch.write(Unpooled.wrappedBuffer(new byte[bytes]));
            return ch.isWritable();
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    public void connectionsMadeOrAcceptedAfterAChangeGetTheNewWriteBufferSize() throws Exception {
        NettyTransport transport = transport("writeBufferBytes", 65536);
        Channel server = listen(transport, ANY_PORT);
        ServerSocket origin = origin();
        Channel acceptedBefore = accept(server);
        Channel madeBefore = connect(transport, (InetSocketAddress) origin.getLocalSocketAddress());

        transport.modified(config("writeBufferBytes", 262144));
        Channel acceptedAfter = accept(server);
        Channel madeAfter = connect(transport, (InetSocketAddress) origin.getLocalSocketAddress());

        assertFalse("100 KB is over the 64 KiB of the connection from before", writableWith(acceptedBefore, 100_000));
        assertFalse(writableWith(madeBefore, 100_000));
        assertTrue("the socket bound before the change accepts with 256 KiB", writableWith(acceptedAfter, 100_000));
        assertTrue(writableWith(madeAfter, 100_000));
        assertFalse(writableWith(madeAfter, 200_000));
    }

    @Test
    public void resolverThreadsChangeInPlaceAndNamesStillResolve() throws Exception {
        NettyTransport transport = transport("resolverThreads", 1);
        Channel server = listen(transport, ANY_PORT);
        int port = ((InetSocketAddress) server.localAddress()).getPort();

        transport.modified(config("resolverThreads", 3));
        assertEquals(3, transport.resolverThreads());
        connect(transport, InetSocketAddress.createUnresolved("localhost", port));

        transport.modified(config("resolverThreads", 2));
        assertEquals(2, transport.resolverThreads());
        connect(transport, InetSocketAddress.createUnresolved("localhost", port));
        assertEquals(2, accepted.size());
    }

    @Test
    public void byDefaultThereIsOneEventLoopPerCore() {
        int count = 0;
        for (Object loop : transport("eventLoopThreads", 0).eventLoops()) {
            count++;
        }
        assertEquals(Runtime.getRuntime().availableProcessors(), count);
    }

    @Test
    public void eventLoopSettingsWaitForTheNextStartAndTheLoopsKeepRunning() throws Exception {
        NettyTransport transport = transport("eventLoopThreads", 1);
        EventLoopGroup loops = transport.eventLoops();
        Channel server = listen(transport, ANY_PORT);

        transport.modified(config("eventLoopThreads", 3, "nativeTransport", true));

        assertSame(loops, transport.eventLoops());
        int count = 0;
        for (Object loop : loops) {
            count++;
        }
        assertEquals(1, count);
        assertFalse(transport.isNative());
        assertTrue("the listening socket is untouched", server.isActive());
        accept(server);
    }

    @Test
    public void aChangeWithABadValueIsRefusedAsAWhole() throws Exception {
        NettyTransport transport = transport("writeBufferBytes", 65536, "resolverThreads", 2);
        Channel server = listen(transport, ANY_PORT);

        transport.modified(config("writeBufferBytes", 262144, "resolverThreads", 0));
        transport.modified(config("writeBufferBytes", 10, "resolverThreads", 3));

        assertEquals(2, transport.resolverThreads());
        assertFalse("still 64 KiB", writableWith(accept(server), 100_000));
    }

    @Test
    public void acceptedAndMadeConnectionsHaveNagleOffWithNio() throws Exception {
        assertNagleOff(transport());
    }

    @Test
    public void acceptedAndMadeConnectionsHaveNagleOffWithEpoll() throws Exception {
        Assume.assumeTrue("native epoll: " + Epoll.unavailabilityCause(), Epoll.isAvailable());
        assertNagleOff(transport("nativeTransport", true));
    }

    /** The transport sets no TCP_NODELAY itself: Netty's channels do; this reads the sockets' option back. */
    private void assertNagleOff(NettyTransport transport) throws Exception {
        Channel accepted = accept(listen(transport, ANY_PORT));
        Channel made = connect(transport, (InetSocketAddress) origin().getLocalSocketAddress());
        assertTrue("accepted " + accepted, accepted.config().getOption(ChannelOption.TCP_NODELAY));
        assertTrue("made " + made, made.config().getOption(ChannelOption.TCP_NODELAY));
    }

    @Test
    public void twoListeningSocketsShareAPortWithNio() {
        assertSharesPort(transport());
    }

    @Test
    public void twoListeningSocketsShareAPortWithEpoll() {
        Assume.assumeTrue("native epoll: " + Epoll.unavailabilityCause(), Epoll.isAvailable());
        NettyTransport transport = transport("nativeTransport", true);
        assertTrue(transport.isNative());
        assertSharesPort(transport);
    }

    /** SO_REUSEPORT: a successor binds next to the socket in use, so a hand-over refuses no connection. */
    private void assertSharesPort(NettyTransport transport) {
        Channel first = listen(transport, ANY_PORT);
        Channel second = listen(transport, (InetSocketAddress) first.localAddress());
        assertEquals(first.localAddress(), second.localAddress());
    }
}
