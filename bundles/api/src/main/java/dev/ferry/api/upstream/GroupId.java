package dev.ferry.api.upstream;

import dev.ferry.api.proxy.HostAndPort;
import java.util.Locale;
import java.util.Objects;

/**
 * Chromium's socket-pool group: the destination's scheme, host and port, and a partition. Connections are shared only
 * within one group; the partition keeps clients apart (the engine uses the client's address by default), as Chromium's
 * network partitioning keeps sites apart.
 */
public final class GroupId {

    private final String scheme;
    private final HostAndPort destination;
    private final String partition;

    /**
     * @param scheme {@code http}, or {@code https} when the connection needs TLS to the origin (or is a tunnel)
     * @param partition any string; empty for the shared partition
     */
    public GroupId(String scheme, HostAndPort destination, String partition) {
        this.scheme = Objects.requireNonNull(scheme, "scheme").toLowerCase(Locale.ROOT);
        if (!this.scheme.equals("http") && !this.scheme.equals("https")) {
            throw new IllegalArgumentException("group scheme must be http or https, not '" + scheme + "'");
        }
        this.destination = Objects.requireNonNull(destination, "destination");
        this.partition = partition == null ? "" : partition;
    }

    public static GroupId http(HostAndPort destination) {
        return new GroupId("http", destination, "");
    }

    public String scheme() {
        return scheme;
    }

    public boolean secure() {
        return scheme.equals("https");
    }

    public HostAndPort destination() {
        return destination;
    }

    public String partition() {
        return partition;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GroupId)) {
            return false;
        }
        GroupId other = (GroupId) o;
        return scheme.equals(other.scheme) && destination.equals(other.destination)
                && partition.equals(other.partition);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, destination, partition);
    }

    /** {@code https://host:port} or {@code https://host:port [partition]}. */
    @Override
    public String toString() {
        return scheme + "://" + destination + (partition.isEmpty() ? "" : " [" + partition + "]");
    }
}
