package dev.ferry.console.impl;

import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.upstream.PoolCounters;
import java.util.List;
import java.util.Optional;

/**
 * Renders {@link ConsoleStatus} as the HTML fragment the Web Console places inside its page frame: a status line,
 * then one table each for bad proxies, connection pools, resolvers and plugins. Every value goes through
 * {@link HtmlText}; the fixed text contains no {@code $}, which the console would take for a variable.
 */
final class StatusPage {

    private static final String[] BAD_PROXY_COLUMNS =
            {"Proxy", "Error", "Details", "Marked at", "Retry at", "Seconds left"};
    private static final String[] POOL_COLUMNS =
            {"Proxy", "Group", "Partition", "Active", "Idle", "Waiting", "Created", "Reused", "Failed", "Queued"};
    private static final String[] RESOLVER_COLUMNS = {"In use", "Name", "Component", "Ranking", "Service ID", "Bundle"};
    private static final String[] DELEGATE_COLUMNS = {"Name", "Component", "Ranking", "Service ID", "Bundle"};

    private StatusPage() {
    }

    static StringBuilder render(ConsoleStatus status, StringBuilder out) {
        statusLine(status, out);
        badProxies(status, out);
        pools(status, out);
        resolvers(status, out);
        delegates(status, out);
        return out;
    }

    private static void statusLine(ConsoleStatus status, StringBuilder out) {
        out.append("<p class=\"statline ui-state-highlight\">");
        text(out, "Status at " + status.now() + ": ");
        text(out, status.badProxies().map(l -> l.size() + " bad proxies").orElse("no bad-proxy list"));
        text(out, status.pools().map(l -> ", " + l.size() + " connection pools").orElse(", no connection pool"));
        text(out, ", resolver in use: ");
        text(out, status.resolvers().isEmpty() ? "none" : status.resolvers().get(0).name());
        text(out, ", " + status.delegates().size() + " plugins.");
        out.append("</p>\n");
    }

    private static void badProxies(ConsoleStatus status, StringBuilder out) {
        heading(out, "Bad proxies");
        Optional<List<ProxyRetryInfo>> list = status.badProxies();
        if (list.isEmpty()) {
            note(out, "No BadProxies service is registered.");
            return;
        }
        tableStart(out, "ferry-bad-proxies", BAD_PROXY_COLUMNS);
        for (ProxyRetryInfo info : list.get()) {
            row(out, info.proxy().toString(), info.error().token(), info.details(), info.markedAt().toString(),
                    info.retryAt().toString(), Long.toString(status.secondsLeft(info)));
        }
        tableEnd(out, list.get().isEmpty(), BAD_PROXY_COLUMNS.length, "No proxy is marked bad.");
    }

    private static void pools(ConsoleStatus status, StringBuilder out) {
        heading(out, "Connection pools");
        Optional<List<PoolCounters>> list = status.pools();
        if (list.isEmpty()) {
            note(out, "No ConnectionPool service is registered.");
            return;
        }
        tableStart(out, "ferry-pools", POOL_COLUMNS);
        for (PoolCounters pool : list.get()) {
            row(out, pool.key().proxy().toString(),
                    pool.key().group().scheme() + "://" + pool.key().destination(),
                    pool.key().group().partition(),
                    Integer.toString(pool.active()), Integer.toString(pool.idle()), Integer.toString(pool.waiting()),
                    Long.toString(pool.created()), Long.toString(pool.reused()), Long.toString(pool.failed()),
                    Long.toString(pool.queued()));
        }
        tableEnd(out, list.get().isEmpty(), POOL_COLUMNS.length, "The pool holds no connections.");
    }

    private static void resolvers(ConsoleStatus status, StringBuilder out) {
        heading(out, "Proxy resolvers");
        tableStart(out, "ferry-resolvers", RESOLVER_COLUMNS);
        for (ServiceEntry resolver : status.resolvers()) {
            row(out, status.isActive(resolver) ? "yes" : "", resolver.name(), resolver.component(),
                    Integer.toString(resolver.ranking()), Long.toString(resolver.serviceId()), resolver.bundle());
        }
        tableEnd(out, status.resolvers().isEmpty(), RESOLVER_COLUMNS.length,
                "No ProxyResolver is registered: requests cannot be resolved.");
    }

    private static void delegates(ConsoleStatus status, StringBuilder out) {
        heading(out, "Plugins (ProxyDelegate), in call order");
        tableStart(out, "ferry-delegates", DELEGATE_COLUMNS);
        for (ServiceEntry delegate : status.delegates()) {
            row(out, delegate.name(), delegate.component(), Integer.toString(delegate.ranking()),
                    Long.toString(delegate.serviceId()), delegate.bundle());
        }
        tableEnd(out, status.delegates().isEmpty(), DELEGATE_COLUMNS.length, "No plugin is registered.");
    }

    private static void heading(StringBuilder out, String title) {
        out.append("<h2>");
        text(out, title);
        out.append("</h2>\n");
    }

    private static void note(StringBuilder out, String message) {
        out.append("<p>");
        text(out, message);
        out.append("</p>\n");
    }

    private static void tableStart(StringBuilder out, String id, String[] columns) {
        out.append("<table id=\"").append(id).append("\" class=\"nicetable\">\n<thead><tr>");
        for (String column : columns) {
            out.append("<th>");
            text(out, column);
            out.append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
    }

    private static void row(StringBuilder out, String... cells) {
        out.append("<tr>");
        for (String cell : cells) {
            out.append("<td>");
            text(out, cell);
            out.append("</td>");
        }
        out.append("</tr>\n");
    }

    private static void tableEnd(StringBuilder out, boolean empty, int columns, String emptyMessage) {
        if (empty) {
            out.append("<tr><td colspan=\"").append(columns).append("\">");
            text(out, emptyMessage);
            out.append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n");
    }

    private static void text(StringBuilder out, String text) {
        HtmlText.append(out, text);
    }
}
