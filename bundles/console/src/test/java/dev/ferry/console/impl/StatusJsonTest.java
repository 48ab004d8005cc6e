package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class StatusJsonTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static String render(ConsoleStatus status) {
        return StatusJson.render(status, new StringBuilder()).toString();
    }

    @Test
    public void rendersEverySectionCompactlyWithValuesEscaped() {
        String json = render(StatusFixtures.full());

        assertEquals("{\"badProxies\":["
                + "{\"proxy\":\"http://127.0.0.1:1234\",\"error\":\"connection_refused\","
                + "\"details\":\"connection refused: 127.0.0.1/127.0.0.1:1234\","
                + "\"markedAt\":\"2026-11-22T09:59:59Z\",\"retryAt\":\"2026-11-22T10:04:59.500Z\","
                + "\"retryInSeconds\":299},"
                + "{\"proxy\":\"https://bad.example:8443\",\"error\":\"connection_timeout\","
                + "\"details\":\"</td><script>alert(1)</script> \\\"\\\\ ${brand.name} 'x' & \\\\${\\n\\u0001\","
                + "\"markedAt\":\"2026-11-22T09:53:20Z\",\"retryAt\":\"2026-11-22T09:58:20Z\",\"retryInSeconds\":0}],"
                + "\"pools\":["
                + "{\"proxy\":\"DIRECT\",\"scheme\":\"http\",\"destination\":\"127.0.0.1:8080\","
                + "\"partition\":\"127.0.0.1\",\"active\":0,\"idle\":1,\"waiting\":0,\"created\":1,\"reused\":3,"
                + "\"failed\":0,\"queued\":4},"
                + "{\"proxy\":\"http://proxy.corp:3128\",\"scheme\":\"https\",\"destination\":\"[::1]:443\","
                + "\"partition\":\"</td><script>alert(1)</script> \\\"\\\\ ${brand.name} 'x' & \\\\${\","
                + "\"active\":2,\"idle\":0,\"waiting\":1,\"created\":7,\"reused\":0,\"failed\":5,\"queued\":9}],"
                + "\"resolvers\":["
                + "{\"name\":\"</td><script>alert(1)</script> \\\"\\\\ ${brand.name} 'x' & \\\\${\",\"ranking\":10,"
                + "\"active\":true},"
                + "{\"name\":\"dev.ferry.resolver\",\"ranking\":0,\"active\":false}],"
                + "\"delegates\":["
                + "{\"name\":\"dev.ferry.plugin.connectheaders~corp\",\"ranking\":5,"
                + "\"bundle\":\"dev.ferry.plugin-connect-headers\"}]}", json);
    }

    @Test
    public void missingServicesGiveEmptyLists() {
        assertEquals("{\"badProxies\":[],\"pools\":[],\"resolvers\":[],\"delegates\":[]}",
                render(StatusFixtures.nothingInstalled()));
    }

    @Test
    public void everyStringLiteralEndsWhereItShould() {
        // Walk the output as a JSON tokenizer would: a string starts at '"' and ends at the next unescaped '"'.
        // Any unescaped quote inside a value would shift the structure, so the key sequence would differ.
        String json = render(StatusFixtures.full());
        Matcher strings = Pattern.compile("\"((?:[^\"\\\\\\u0000-\\u001f]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-f]{4})*)\"")
                .matcher(json);
        StringBuilder outside = new StringBuilder();
        int last = 0;
        while (strings.find()) {
            outside.append(json, last, strings.start()).append('S');
            last = strings.end();
        }
        outside.append(json.substring(last));

        assertTrue(outside.toString(), outside.toString().matches("[{}\\[\\]:,S0-9a-z]*"));
        assertEquals(List.of("badProxies", "pools", "resolvers", "delegates"), topLevelKeys(json));
    }

    private static List<String> topLevelKeys(String json) {
        Matcher keys = Pattern.compile("\\],\"(\\w+)\":\\[|^\\{\"(\\w+)\":\\[").matcher(json);
        java.util.ArrayList<String> found = new java.util.ArrayList<>();
        while (keys.find()) {
            found.add(keys.group(1) != null ? keys.group(1) : keys.group(2));
        }
        return found;
    }
}
