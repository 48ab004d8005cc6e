package dev.ferry.api.upstream;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.proxy.HostAndPort;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/** What a connector is asked for: a connection for a URL, or a raw tunnel to a host and port. */
public final class UpstreamRequest {

    private final URI url;
    private final HostAndPort destination;
    private final boolean tunnel;
    private final String partition;
    private final ConnectEvents events;
    private final ClientCodec clientCodec;

    private UpstreamRequest(URI url, HostAndPort destination, boolean tunnel, String partition,
            ConnectEvents events, ClientCodec clientCodec) {
        this.url = url;
        this.destination = destination;
        this.tunnel = tunnel;
        this.partition = partition == null ? "" : partition;
        this.events = events == null ? ConnectEvents.NONE : events;
        this.clientCodec = clientCodec;
    }

    /**
     * An HTTP connection for {@code url} ({@code http} or {@code https}): pooled, and for {@code https} with TLS to
     * the origin. Requests go on it in absolute form when {@link UpstreamLease#absoluteForm()} says so.
     */
    public static UpstreamRequest http(URI url, String partition) {
        String scheme = Objects.requireNonNull(url.getScheme(), "url has no scheme").toLowerCase(Locale.ROOT);
        int defaultPort;
        if (scheme.equals("http")) {
            defaultPort = 80;
        } else if (scheme.equals("https")) {
            defaultPort = 443;
        } else {
            throw new IllegalArgumentException("only http and https URLs, not " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("URL has no host: " + url);
        }
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        HostAndPort destination = HostAndPort.of(host, url.getPort() < 0 ? defaultPort : url.getPort());
        return new UpstreamRequest(url, destination, false, partition, null, null);
    }

    /**
     * Like {@link #http(URI, String)}, with the destination given: for host names {@link URI} does not parse as a
     * host (such as {@code build_01.corp}), whose URL the resolvers still see.
     */
    public static UpstreamRequest http(URI url, HostAndPort destination, String partition) {
        String scheme = Objects.requireNonNull(url.getScheme(), "url has no scheme").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("only http and https URLs, not " + url);
        }
        return new UpstreamRequest(url, Objects.requireNonNull(destination, "destination"), false, partition, null,
                null);
    }

    /** A raw byte tunnel to {@code destination}, never pooled; resolved as {@code https://host:port/}. */
    public static UpstreamRequest tunnel(HostAndPort destination, String partition) {
        URI url = URI.create("https://" + destination + "/");
        return new UpstreamRequest(url, destination, true, partition, null, null);
    }

    /** The same request, reporting to {@code events}. */
    public UpstreamRequest withEvents(ConnectEvents events) {
        return new UpstreamRequest(url, destination, tunnel, partition, events, clientCodec);
    }

    /** The same request; a new HTTP connection made for it gets {@code codec} on its pipeline. */
    public UpstreamRequest withClientCodec(ClientCodec codec) {
        return new UpstreamRequest(url, destination, tunnel, partition, events, codec);
    }

    /** The URL the resolver sees. */
    public URI url() {
        return url;
    }

    public HostAndPort destination() {
        return destination;
    }

    public boolean tunnel() {
        return tunnel;
    }

    public String partition() {
        return partition;
    }

    public ConnectEvents events() {
        return events;
    }

    /** The codec a new HTTP connection gets, or null: the caller sets the pipeline up itself. */
    public ClientCodec clientCodec() {
        return clientCodec;
    }

    /** The pool group: {@code https} for tunnels and https URLs, {@code http} otherwise. */
    public GroupId group() {
        boolean secure = tunnel || "https".equalsIgnoreCase(url.getScheme());
        return new GroupId(secure ? "https" : "http", destination, partition);
    }

    @Override
    public String toString() {
        return (tunnel ? "tunnel " + destination : url.toString()) + (partition.isEmpty() ? "" : " [" + partition + "]");
    }
}
