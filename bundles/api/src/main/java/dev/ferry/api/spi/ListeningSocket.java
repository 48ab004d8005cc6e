package dev.ferry.api.spi;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A listening socket owned by the {@link Transport}, lent to the listener that asked for it. A listener that goes
 * away for a moment (its bundle updated or restarted) releases it rather than closing it: the socket keeps accepting,
 * holds the new connections unread, and hands them and itself to the next listener that asks for the same address,
 * so that a restart refuses no connection.
 */
@ProviderType
public interface ListeningSocket {

    /** The bound address (the real port when 0 was asked for). */
    InetSocketAddress localAddress();

    /**
     * Keeps the socket for a successor for up to {@code handoverMillis}: connections accepted meanwhile wait, unread,
     * for it. When none comes, the socket and those connections close. The connections accepted before are not
     * touched: they belong to the listener that accepted them.
     */
    void release(long handoverMillis);

    /** Stops accepting now and closes the socket; connections accepted before are not touched. */
    void close();
}
