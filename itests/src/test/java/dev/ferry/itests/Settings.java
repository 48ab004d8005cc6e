package dev.ferry.itests;

import java.util.LinkedHashMap;
import java.util.Map;

/** The configuration a {@link FerryProcess} starts with: config file name to the keys set in it. */
final class Settings {

    static final String RESOLVER = "dev.ferry.resolver.cfg";
    static final String RETRY = "dev.ferry.resolver.retry.cfg";
    static final String PAC = "dev.ferry.pac.cfg";
    static final String POOL = "dev.ferry.pool.cfg";
    /** Rules never apply to loopback targets unless the bypass list says so, and every test origin is loopback. */
    static final String LOOPBACK_TOO = "<-loopback>";

    private final Map<String, Map<String, String>> files = new LinkedHashMap<>();

    /** Proxy rules that apply to the loopback test origins as well. */
    static Settings rules(String rules) {
        return new Settings().set(RESOLVER, "rules", rules).set(RESOLVER, "bypass", LOOPBACK_TOO);
    }

    static Settings defaults() {
        return new Settings();
    }

    Settings set(String file, String key, String value) {
        files.computeIfAbsent(file, f -> new LinkedHashMap<>()).put(key, value);
        return this;
    }

    Map<String, Map<String, String>> files() {
        return files;
    }
}
