package dev.ferry.console.impl;

import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * An in-memory Config Admin holding plain (non-factory) configurations, with just the behaviour the credentials code
 * relies on: {@code getConfiguration(pid, location)} creates a property-less configuration when there is none,
 * {@code update} replaces the properties (copying them, adding {@code service.pid}), {@code delete} removes it.
 */
final class FakeConfigurationAdmin {

    private final Map<String, Hashtable<String, Object>> store = new HashMap<>();
    private final Map<String, Integer> updates = new HashMap<>();

    final ConfigurationAdmin service = (ConfigurationAdmin) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> {
                if (method.getName().equals("getConfiguration")) {
                    return configuration((String) args[0]);
                }
                throw new UnsupportedOperationException(method.toString());
            });

    private Configuration configuration(String pid) {
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getPid":
                            return pid;
                        case "getProperties":
                            Hashtable<String, Object> props = store.get(pid);
                            return props == null ? null : new Hashtable<>(props);
                        case "update":
                            if (args == null || args.length == 0) {
                                return null;
                            }
                            put(pid, (Dictionary<?, ?>) args[0]);
                            updates.merge(pid, 1, Integer::sum);
                            return null;
                        case "delete":
                            store.remove(pid);
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.toString());
                    }
                });
    }

    /** Sets a configuration as if a user (or FileInstall) had. */
    void put(String pid, Dictionary<?, ?> properties) {
        Hashtable<String, Object> copy = new Hashtable<>();
        for (Enumeration<?> keys = properties.keys(); keys.hasMoreElements();) {
            Object key = keys.nextElement();
            copy.put((String) key, properties.get(key));
        }
        copy.put("service.pid", pid);
        store.put(pid, copy);
    }

    Hashtable<String, Object> get(String pid) {
        return store.get(pid);
    }

    void delete(String pid) {
        store.remove(pid);
    }

    int updates(String pid) {
        return updates.getOrDefault(pid, 0);
    }
}
