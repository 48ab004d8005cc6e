package dev.ferry.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Felix Web Console's REST side, for swapping parts of a running Ferry: bundles ({@code bundles.json}, POST
 * {@code bundles/<id>} with {@code action=update|stop|start}) and Declarative Services components
 * ({@code components.json}, {@code components/<id>.json} with the configuration each component runs with). Logged in
 * through {@link ConsoleStatus}. A page that does not answer 200 (the console itself is being swapped) reads as null.
 */
final class ConsoleBundles {

    static final int ACTIVE = 32;
    static final int RESOLVED = 4;
    private static final Pattern LAST_MODIFIED = Pattern.compile(
            "\"key\":\"Last Modification\",\"value\":\"([^\"]*)\"");

    private final ConsoleStatus console;

    ConsoleBundles(ConsoleStatus console) {
        this.console = console;
    }

    /** The bundle's id, or null when the console does not answer or has no such bundle. */
    Long bundleId(String symbolicName) throws Exception {
        Map<String, String> bundle = bundle(symbolicName);
        return bundle == null ? null : Long.valueOf(bundle.get("id"));
    }

    /** The bundle's state ({@link #ACTIVE}, {@link #RESOLVED}, …), or -1 when the console does not answer. */
    int state(String symbolicName) throws Exception {
        Map<String, String> bundle = bundle(symbolicName);
        return bundle == null ? -1 : Integer.parseInt(bundle.get("stateRaw"));
    }

    private Map<String, String> bundle(String symbolicName) throws Exception {
        String json = console.get("/system/console/bundles.json");
        return json == null ? null : StatusJson.find(json, "data", "symbolicName", symbolicName);
    }

    /** When the bundle was last installed or updated, as the console shows it; null when it does not answer. */
    String lastModified(long id) throws Exception {
        String json = console.get("/system/console/bundles/" + id + ".json");
        if (json == null) {
            return null;
        }
        Matcher m = LAST_MODIFIED.matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /** POSTs {@code action} (update, stop, start) for the bundle; fails unless the console answers 200. */
    void act(long id, String action) throws Exception {
        String answer = console.post("/system/console/bundles/" + id, "action=" + action);
        if (answer == null) {
            throw new AssertionError("the Web Console refused action=" + action + " for bundle " + id);
        }
    }

    /**
     * The Ferry components by name, each with the sorted states of its instances, where "active" and "satisfied"
     * both read "ok" (a delayed component is satisfied until used); null when the console does not answer.
     */
    Map<String, List<String>> componentStates() throws Exception {
        String json = console.get("/system/console/components.json");
        if (json == null) {
            return null;
        }
        Map<String, List<String>> states = new TreeMap<>();
        for (Map<String, String> c : StatusJson.entries(json, "data")) {
            String name = c.get("name");
            if (name != null && name.startsWith("dev.ferry.")) {
                String state = c.get("state");
                states.computeIfAbsent(name, n -> new ArrayList<>())
                        .add("active".equals(state) || "satisfied".equals(state) ? "ok" : state);
            }
        }
        states.values().forEach(list -> list.sort(null));
        return states;
    }

    /**
     * True when every component configured from {@code configFile} (FileInstall's file name) runs with
     * {@code key = value}, and there is at least one; false otherwise and when the console does not answer.
     */
    boolean configApplied(String configFile, String key, String value) throws Exception {
        String json = console.get("/system/console/components.json");
        if (json == null) {
            return false;
        }
        // A typed value of the file (I"1001", B"true") is shown as the value itself.
        String shown = value.matches("[A-Za-z]\".*\"") ? value.substring(2, value.length() - 1) : value;
        int matching = 0;
        for (Map<String, String> c : StatusJson.entries(json, "data")) {
            String pid = c.get("pid");
            String id = c.get("id");
            if (pid == null || id == null || id.isEmpty()
                    || !(configFile.startsWith(pid + ".") || configFile.startsWith(pid + "-"))) {
                continue;
            }
            String detail = console.get("/system/console/components/" + id + ".json");
            if (detail == null) {
                return false;
            }
            detail = detail.replace("\\/", "/");
            if (!detail.contains("felix.fileinstall.filename = file:") || !detail.contains("/" + configFile + "\"")) {
                continue;
            }
            if (!detail.contains("\"" + key + " = " + shown + "\"")) {
                return false;
            }
            matching++;
        }
        return matching > 0;
    }
}
