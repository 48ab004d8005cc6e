package dev.ferry.console.impl;

import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.upstream.PoolCounters;
import java.util.List;

/**
 * Renders {@link ConsoleStatus} as the compact JSON of {@code /system/console/ferry/status.json}: no white space,
 * fixed key order, every list present (empty when its service is not registered), so that scripts and tests can
 * read it with simple patterns:
 *
 * <pre>
 * {"badProxies":[{"proxy":"http://127.0.0.1:1234","error":"connection_refused","details":"...",
 *   "markedAt":"2026-01-01T00:00:00Z","retryAt":"2026-01-01T00:05:00Z","retryInSeconds":299}],
 *  "pools":[{"proxy":"DIRECT","scheme":"http","destination":"127.0.0.1:8080","partition":"127.0.0.1",
 *   "active":0,"idle":1,"waiting":0,"created":1,"reused":3,"failed":0,"queued":0}],
 *  "resolvers":[{"name":"...","ranking":0,"active":true}],
 *  "delegates":[{"name":"...","ranking":0,"bundle":"..."}]}
 * </pre>
 * (shown wrapped; the output is one line).
 */
final class StatusJson {

    private StatusJson() {
    }

    static StringBuilder render(ConsoleStatus status, StringBuilder out) {
        out.append("{\"badProxies\":[");
        List<ProxyRetryInfo> badProxies = status.badProxies().orElse(List.of());
        for (int i = 0; i < badProxies.size(); i++) {
            ProxyRetryInfo info = badProxies.get(i);
            out.append(i == 0 ? "{" : ",{");
            string(out, "proxy", info.proxy().toString()).append(',');
            string(out, "error", info.error().token()).append(',');
            string(out, "details", info.details()).append(',');
            string(out, "markedAt", info.markedAt().toString()).append(',');
            string(out, "retryAt", info.retryAt().toString()).append(',');
            number(out, "retryInSeconds", status.secondsLeft(info)).append('}');
        }
        out.append("],\"pools\":[");
        List<PoolCounters> pools = status.pools().orElse(List.of());
        for (int i = 0; i < pools.size(); i++) {
            PoolCounters pool = pools.get(i);
            out.append(i == 0 ? "{" : ",{");
            string(out, "proxy", pool.key().proxy().toString()).append(',');
            string(out, "scheme", pool.key().group().scheme()).append(',');
            string(out, "destination", pool.key().destination().toString()).append(',');
            string(out, "partition", pool.key().group().partition()).append(',');
            number(out, "active", pool.active()).append(',');
            number(out, "idle", pool.idle()).append(',');
            number(out, "waiting", pool.waiting()).append(',');
            number(out, "created", pool.created()).append(',');
            number(out, "reused", pool.reused()).append(',');
            number(out, "failed", pool.failed()).append(',');
            number(out, "queued", pool.queued()).append('}');
        }
        out.append("],\"resolvers\":[");
        List<ServiceEntry> resolvers = status.resolvers();
        for (int i = 0; i < resolvers.size(); i++) {
            ServiceEntry resolver = resolvers.get(i);
            out.append(i == 0 ? "{" : ",{");
            string(out, "name", resolver.name()).append(',');
            number(out, "ranking", resolver.ranking()).append(',');
            out.append("\"active\":").append(status.isActive(resolver)).append('}');
        }
        out.append("],\"delegates\":[");
        List<ServiceEntry> delegates = status.delegates();
        for (int i = 0; i < delegates.size(); i++) {
            ServiceEntry delegate = delegates.get(i);
            out.append(i == 0 ? "{" : ",{");
            string(out, "name", delegate.name()).append(',');
            number(out, "ranking", delegate.ranking()).append(',');
            string(out, "bundle", delegate.bundle()).append('}');
        }
        return out.append("]}");
    }

    private static StringBuilder string(StringBuilder out, String key, String value) {
        return JsonText.appendQuoted(out.append('"').append(key).append("\":"), value);
    }

    private static StringBuilder number(StringBuilder out, String key, long value) {
        return out.append('"').append(key).append("\":").append(value);
    }
}
