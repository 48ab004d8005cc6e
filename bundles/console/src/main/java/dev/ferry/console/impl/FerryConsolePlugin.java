package dev.ferry.console.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.BadProxies;
import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.upstream.ConnectionPool;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The "Ferry" page of the Felix Web Console ({@code /system/console/ferry}): bad proxies, connection pools, the
 * registered resolvers and plugins; the same as JSON at {@code /system/console/ferry/status.json}.
 * <p>
 * A plain servlet with the {@code felix.webconsole.*} properties: the console wraps it, draws its frame around the
 * HTML and passes requests with a file extension (the JSON) through undecorated. The console's login protects it.
 * Every reference is optional or multiple and dynamic, so the page shows whatever is installed at the moment.
 */
@Component(service = Servlet.class, property = {
        "felix.webconsole.label=" + FerryConsolePlugin.LABEL,
        "felix.webconsole.title=Ferry",
        "felix.webconsole.category=Ferry"})
public final class FerryConsolePlugin extends HttpServlet {

    static final String LABEL = "ferry";
    static final String STATUS_JSON = "status.json";

    /** What a request path under the plugin asks for. */
    enum Page { HTML, JSON, NOT_FOUND }

    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BadProxies badProxies;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConnectionPool connectionPool;

    // Kept as references and read at each request, so a changed ranking shows. Bound through methods that take the
    // service: SCR calls them only for services it could get, so a plugin whose activation failed (still registered,
    // never called by the engine) is not listed as if it worked.
    private final Set<ServiceReference<ProxyResolver>> resolvers = ConcurrentHashMap.newKeySet();
    private final Set<ServiceReference<ProxyDelegate>> delegates = ConcurrentHashMap.newKeySet();

    private final transient Clock clock = Clock.systemUTC();

    @Reference(name = "resolvers", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindResolver")
    void bindResolver(ProxyResolver resolver, ServiceReference<ProxyResolver> reference) {
        resolvers.add(reference);
    }

    void unbindResolver(ServiceReference<ProxyResolver> reference) {
        resolvers.remove(reference);
    }

    @Reference(name = "delegates", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDelegate")
    void bindDelegate(ProxyDelegate delegate, ServiceReference<ProxyDelegate> reference) {
        delegates.add(reference);
    }

    void unbindDelegate(ServiceReference<ProxyDelegate> reference) {
        delegates.remove(reference);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (route(request.getPathInfo())) {
            case JSON:
                StringBuilder json = StatusJson.render(snapshot(), new StringBuilder(1024));
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.setHeader("Cache-Control", "no-store");
                response.setHeader("X-Content-Type-Options", "nosniff");
                response.getWriter().write(json.toString());
                break;
            case HTML:
                // Inside the console frame the response is already text/html and its writer already open.
                if (response.getContentType() == null) {
                    response.setContentType("text/html");
                    response.setCharacterEncoding("UTF-8");
                }
                PrintWriter writer = response.getWriter();
                writer.write(StatusPage.render(snapshot(), new StringBuilder(4096)).toString());
                break;
            default:
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    /**
     * @param pathInfo the path below the console root as the console passes it, {@code /ferry} or
     *                 {@code /ferry/status.json}
     */
    static Page route(String pathInfo) {
        String prefix = "/" + LABEL;
        if (pathInfo == null || !pathInfo.startsWith(prefix)) {
            return Page.NOT_FOUND;
        }
        String rest = pathInfo.substring(prefix.length());
        if (rest.isEmpty() || rest.equals("/") || rest.equals("/index.html")) {
            return Page.HTML;
        }
        return rest.equals("/" + STATUS_JSON) ? Page.JSON : Page.NOT_FOUND;
    }

    ConsoleStatus snapshot() {
        BadProxies bad = badProxies;
        ConnectionPool pool = connectionPool;
        return new ConsoleStatus(clock.instant(),
                bad == null ? null : bad.current(),
                pool == null ? null : pool.counters(),
                entries(resolvers), entries(delegates));
    }

    private static List<ServiceEntry> entries(Set<? extends ServiceReference<?>> references) {
        List<ServiceEntry> entries = new ArrayList<>();
        for (ServiceReference<?> reference : references) {
            entries.add(ServiceEntry.of(reference));
        }
        return entries;
    }
}
