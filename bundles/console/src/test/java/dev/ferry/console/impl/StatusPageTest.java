package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.ListResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.webconsole.internal.filter.FilteringResponseWrapper;
import org.apache.felix.webconsole.servlet.RequestVariableResolver;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class StatusPageTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String ESCAPED_HOSTILE = "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;&#92; "
            + "&#36;{brand.name} &#39;x&#39; &amp; &#92;&#36;{";

    private static String render(ConsoleStatus status) {
        return StatusPage.render(status, new StringBuilder()).toString();
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    public void hostileValuesAreEscapedEverywhere() {
        String html = render(StatusFixtures.full());

        assertFalse(html, html.contains("<script>"));
        assertFalse(html, html.contains("${"));
        // details, partition (in the pools table) and a resolver name (in its table and the status line)
        assertEquals(html, 4, count(html, ESCAPED_HOSTILE));
        assertTrue(html, html.contains("&#xfffd;"));
        // The markup is exactly the page's own: the hostile cells did not add or close any cells.
        assertEquals(count(html, "<td"), count(html, "</td>"));
        assertEquals(2 + 2 + 2 + 1, count(html, "<tr><td>"));
    }

    @Test
    public void tablesShowTheValues() {
        String html = render(StatusFixtures.full());

        assertTrue(html, html.contains("<tr><td>http://127.0.0.1:1234</td><td>connection_refused</td>"
                + "<td>connection refused: 127.0.0.1/127.0.0.1:1234</td><td>2026-11-22T09:59:59Z</td>"
                + "<td>2026-11-22T10:04:59.500Z</td><td>299</td></tr>"));
        assertTrue(html, html.contains("<tr><td>DIRECT</td><td>http://127.0.0.1:8080</td><td>127.0.0.1</td>"
                + "<td>0</td><td>1</td><td>0</td><td>1</td><td>3</td><td>0</td><td>4</td></tr>"));
        assertTrue(html, html.contains("<td>https://[::1]:443</td>"));
        assertTrue(html, html.contains("<tr><td></td><td>dev.ferry.resolver</td>"
                + "<td>dev.ferry.resolver.impl.FixedProxyResolver</td><td>0</td><td>12</td><td>dev.ferry.resolver</td>"
                + "</tr>"));
        assertTrue(html, html.contains("<tr><td>yes</td><td>" + ESCAPED_HOSTILE + "</td>"));
        assertTrue(html, html.contains("<tr><td>dev.ferry.plugin.connectheaders~corp</td>"
                + "<td>dev.ferry.plugin.connectheaders.impl.ConnectHeadersDelegate</td><td>5</td><td>50</td>"
                + "<td>dev.ferry.plugin-connect-headers</td></tr>"));
        assertTrue(html, html.contains("2 bad proxies, 2 connection pools, resolver in use: " + ESCAPED_HOSTILE
                + ", 1 plugins."));
    }

    @Test
    public void saysWhatIsNotInstalled() {
        String html = render(StatusFixtures.nothingInstalled());

        assertTrue(html, html.contains("No BadProxies service is registered."));
        assertTrue(html, html.contains("No ConnectionPool service is registered."));
        assertTrue(html, html.contains("No ProxyResolver is registered"));
        assertTrue(html, html.contains("No plugin is registered."));
        assertFalse(html, html.contains("ferry-bad-proxies"));
    }

    @Test
    public void emptyListsAreToldApartFromMissingServices() {
        String html = render(new ConsoleStatus(StatusFixtures.NOW, java.util.List.of(), java.util.List.of(),
                java.util.List.of(), java.util.List.of()));

        assertTrue(html, html.contains("No proxy is marked bad."));
        assertTrue(html, html.contains("The pool holds no connections."));
        assertTrue(html, html.contains("0 bad proxies, 0 connection pools"));
    }

    /**
     * The page passes through the Web Console's own variable filter on its way out (it replaces ${name} and eats a
     * backslash before $); the hostile value must still reach the browser as the same escaped text.
     */
    @Test
    public void survivesTheWebConsoleVariableFilter() throws Exception {
        String html = render(StatusFixtures.full());
        StringWriter sent = new StringWriter();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getContentType": return "text/html; charset=utf-8";
                        case "getWriter": return new PrintWriter(sent);
                        default: throw new UnsupportedOperationException(method.getName());
                    }
                });
        RequestVariableResolver variables = new RequestVariableResolver();
        variables.put("brand.name", "BRAND");
        ServletRequest request = (ServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServletRequest.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getAttribute")
                            && RequestVariableResolver.REQUEST_ATTRIBUTE.equals(args[0])) {
                        return variables;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        ListResourceBundle noTranslations = new ListResourceBundle() {
            @Override
            protected Object[][] getContents() {
                return new Object[0][];
            }
        };

        PrintWriter writer = new FilteringResponseWrapper(response, noTranslations, request).getWriter();
        writer.write(html);
        writer.flush();

        assertEquals(html, sent.toString());
        Matcher cells = Pattern.compile("<td>").matcher(sent.toString());
        assertTrue(cells.find());
    }
}
