package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.console.impl.FerryConsolePlugin.Page;
import dev.ferry.testing.LeakCheck;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.ServiceReference;

public class FerryConsolePluginTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void routesThePageAndTheJson() {
        assertEquals(Page.HTML, FerryConsolePlugin.route("/ferry"));
        assertEquals(Page.HTML, FerryConsolePlugin.route("/ferry/"));
        assertEquals(Page.HTML, FerryConsolePlugin.route("/ferry/index.html"));
        assertEquals(Page.JSON, FerryConsolePlugin.route("/ferry/status.json"));
    }

    @Test
    public void anythingElseIsNotFound() {
        assertEquals(Page.NOT_FOUND, FerryConsolePlugin.route(null));
        assertEquals(Page.NOT_FOUND, FerryConsolePlugin.route("/ferry/status.json/x"));
        assertEquals(Page.NOT_FOUND, FerryConsolePlugin.route("/ferry/other.json"));
        assertEquals(Page.NOT_FOUND, FerryConsolePlugin.route("/bundles"));
    }

    @SuppressWarnings("unchecked")
    private static <S> ServiceReference<S> reference(String pid, int ranking, long serviceId) {
        return (ServiceReference<S>) ServiceEntryTest.reference(Map.of("service.pid", pid, "service.ranking", ranking,
                "service.id", serviceId), "dev.ferry.test");
    }

    @Test
    public void listsTheBoundResolversAndPluginsUntilTheyAreUnbound() {
        FerryConsolePlugin plugin = new FerryConsolePlugin();
        ServiceReference<ProxyResolver> rules = reference("rules", 0, 1);
        ServiceReference<ProxyResolver> pac = reference("pac", 100, 2);
        ServiceReference<ProxyDelegate> tagger = reference("tagger", 0, 3);
        plugin.bindResolver(url -> null, rules);
        plugin.bindResolver(url -> null, pac);
        plugin.bindDelegate(new ProxyDelegate() { }, tagger);

        assertEquals("{\"badProxies\":[],\"pools\":[],\"resolvers\":[{\"name\":\"pac\",\"ranking\":100,"
                + "\"active\":true},{\"name\":\"rules\",\"ranking\":0,\"active\":false}],\"delegates\":["
                + "{\"name\":\"tagger\",\"ranking\":0,\"bundle\":\"dev.ferry.test\"}]}",
                StatusJson.render(plugin.snapshot(), new StringBuilder()).toString());

        plugin.unbindResolver(pac);
        plugin.unbindDelegate(tagger);

        assertEquals("{\"badProxies\":[],\"pools\":[],\"resolvers\":[{\"name\":\"rules\",\"ranking\":0,"
                + "\"active\":true}],\"delegates\":[]}",
                StatusJson.render(plugin.snapshot(), new StringBuilder()).toString());
    }
}
