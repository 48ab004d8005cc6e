package dev.ferry.plugin.accesslog.impl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.rules.ExternalResource;
import org.osgi.util.converter.Converters;

/**
 * Configurations as Config Admin would pass them (a factory configuration named by the test), and hooks made from
 * them with the distribution folder {@code home}. Every hook made is deactivated after the test, so no writer thread
 * outlives it.
 */
final class HookFixture extends ExternalResource {

    private final List<AccessLogHook> made = new ArrayList<>();

    static AccessLogHook.Config config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(AccessLogHook.Config.class);
    }

    /** {@code key, value, ...} as a configuration. */
    static AccessLogHook.Config config(Object... keysAndValues) {
        return config(properties(keysAndValues));
    }

    static Map<String, Object> properties(Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    /** The component properties of the factory configuration {@code dev.ferry.accesslog~<name>}. */
    static Map<String, Object> identity(String name) {
        return Map.of("service.pid", AccessLogHook.PID + "~" + name, "component.name", AccessLogHook.PID);
    }

    AccessLogHook hook(String name, AccessLogHook.Config config, Path home) {
        AccessLogHook hook = new AccessLogHook(config, identity(name), home);
        made.add(hook);
        return hook;
    }

    /** Deactivates {@code hook} now (DS would, on the configuration's removal); the fixture will not again. */
    void deactivate(AccessLogHook hook) {
        made.remove(hook);
        hook.deactivate();
    }

    @Override
    protected void after() {
        for (AccessLogHook hook : made) {
            hook.deactivate();
        }
    }
}
