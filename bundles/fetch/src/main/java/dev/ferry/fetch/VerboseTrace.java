package dev.ferry.fetch;

import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.PoolKey;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.io.PrintStream;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code -v} output on stderr, as curl shows it: {@code * } lines for what the connector and its connect jobs
 * report, {@code > } for the request head, {@code < } for the response head. Connect events arrive on the event loop,
 * heads on the main thread; each line is one {@code println}, which PrintStream makes atomic.
 */
final class VerboseTrace implements ConnectEvents {

    private final PrintStream err;

    VerboseTrace(PrintStream err) {
        this.err = err;
    }

    @Override
    public void resolved(URI url, ProxyList proxies) {
        info("resolved " + url + " -> " + proxies);
    }

    @Override
    public void reused(PoolKey key) {
        info("reusing " + key);
    }

    @Override
    public void waiting(PoolKey key, String limit) {
        info("waiting for " + key + ": " + limit);
    }

    @Override
    public void stageStarted(PoolKey key, ConnectStage stage, String target) {
        info(stage + " " + target + " ...");
    }

    @Override
    public void stageDone(PoolKey key, ConnectStage stage, long nanos) {
        info(stage + " done in " + String.format(Locale.ROOT, "%.1f", nanos / 1e6) + " ms");
    }

    @Override
    public void tunnelResponse(PoolKey key, TunnelResponse response) {
        info("CONNECT response from " + key.proxy() + ": " + response.status() + " " + response.reason());
    }

    @Override
    public void fallback(ProxyServer bad, ConnectJobException cause) {
        info("fallback: " + bad + " failed (" + cause.errorType().token() + ": " + cause.getMessage()
                + "); trying the next proxy");
    }

    void connected(ProxyServer via) {
        info("connected via " + via);
    }

    void request(HttpRequest request) {
        err.println("> " + request.method() + " " + request.uri() + " " + request.protocolVersion());
        headers("> ", request.headers());
    }

    void response(HttpResponse response) {
        err.println("< " + response.protocolVersion() + " " + response.status());
        headers("< ", response.headers());
    }

    private void headers(String prefix, HttpHeaders headers) {
        for (Map.Entry<String, String> header : headers) {
            err.println(prefix + header.getKey() + ": " + header.getValue());
        }
        err.println(prefix.trim());
    }

    private void info(String line) {
        err.println("* " + line);
    }
}
