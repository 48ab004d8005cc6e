package dev.ferry.itests;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CONNECT target on 127.0.0.1 that echoes every byte back, for thousands of connections at once: one thread and a
 * selector, a descriptor per connection and nothing more, so that the test's own process holds as few as it can.
 */
final class NioEchoTarget implements Closeable {

    private final Selector selector;
    private final ServerSocketChannel server;
    private final Thread loop;
    private final AtomicInteger open = new AtomicInteger();

    NioEchoTarget() throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "nio-echo-target");
        loop.setDaemon(true);
        loop.start();
    }

    int port() {
        return server.socket().getLocalPort();
    }

    /** Connections accepted and not yet closed. */
    int openConnections() {
        return open.get();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        try {
            while (selector.isOpen()) {
                selector.select(500);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    try {
                        if (key.isAcceptable()) {
                            accept();
                        } else if (key.isReadable() || key.isWritable()) {
                            echo(key, buf);
                        }
                    } catch (IOException e) {
                        close(key);
                    }
                }
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed
        }
    }

    private void accept() throws IOException {
        for (SocketChannel ch; (ch = server.accept()) != null;) {
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            open.incrementAndGet();
        }
    }

    /** Reads what there is and writes it back; what the peer does not take yet waits, and reading stops meanwhile. */
    private void echo(SelectionKey key, ByteBuffer buf) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        ByteBuffer pending = (ByteBuffer) key.attachment();
        if (pending != null) {
            ch.write(pending);
            if (pending.hasRemaining()) {
                return;
            }
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ);
        }
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
            close(key);
            return;
        }
        buf.flip();
        ch.write(buf);
        if (buf.hasRemaining()) {
            ByteBuffer rest = ByteBuffer.allocate(buf.remaining());
            rest.put(buf).flip();
            key.attach(rest);
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.decrementAndGet();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        server.close();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
