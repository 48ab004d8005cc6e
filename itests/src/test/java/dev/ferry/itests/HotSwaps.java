package dev.ferry.itests;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The changes {@link SwapStep}s make to a running Ferry, each returning once it has applied: a config file edited
 * (FileInstall polls every second) until the components run with the new value, a bundle updated or stopped and
 * started through the Web Console until it is active again, the plain listener moved to a new port. Each waits, too,
 * until every Ferry component is back in the state it had before (active or satisfied, or waiting for a
 * configuration that is not there).
 */
final class HotSwaps {

    private static final long APPLY_MILLIS = 15_000;
    private static final long SETTLE_MILLIS = 15_000;
    private static final long STOPPED_MILLIS = 1_000;

    private final FerryProcess ferry;
    private final ConsoleBundles console;
    private final ProxyEndpoints endpoints;

    HotSwaps(FerryProcess ferry, ConsoleBundles console, ProxyEndpoints endpoints) {
        this.ferry = ferry;
        this.console = console;
        this.endpoints = endpoints;
    }

    void editConfig(String file, String key, String value) throws Exception {
        Map<String, List<String>> before = componentStates();
        FerryProcess.setKey(ferry.home, file, key, value);
        Await.until(key + " = " + value + " from " + file + " in the components using it", APPLY_MILLIS,
                () -> console.configApplied(file, key, value) ? Boolean.TRUE : null);
        awaitSettled(before);
    }

    void updateBundle(String symbolicName) throws Exception {
        Map<String, List<String>> before = componentStates();
        long id = bundleId(symbolicName);
        String installed = Await.until("last modification of " + symbolicName, APPLY_MILLIS,
                () -> console.lastModified(id));
        console.act(id, "update");
        Await.until(symbolicName + " updated (its last modification changed from " + installed + ") and active",
                APPLY_MILLIS, () -> !installed.equals(console.lastModified(id))
                        && console.state(symbolicName) == ConsoleBundles.ACTIVE ? Boolean.TRUE : null);
        awaitSettled(before);
    }

    void stopStartBundle(String symbolicName) throws Exception {
        Map<String, List<String>> before = componentStates();
        long id = bundleId(symbolicName);
        console.act(id, "stop");
        Await.until(symbolicName + " stopped", APPLY_MILLIS,
                () -> console.state(symbolicName) == ConsoleBundles.RESOLVED ? Boolean.TRUE : null);
        Thread.sleep(STOPPED_MILLIS);
        console.act(id, "start");
        Await.until(symbolicName + " active again", APPLY_MILLIS,
                () -> console.state(symbolicName) == ConsoleBundles.ACTIVE ? Boolean.TRUE : null);
        awaitSettled(before);
    }

    /**
     * Moves the plain listener: while it moves, clients opening a connection wait for the new port; once it accepts
     * there, they use it; connections already open on the old port carry on until the proxy closes them.
     */
    void movePlainListener(String file) throws Exception {
        Map<String, List<String>> before = componentStates();
        int oldPort = endpoints.httpPort();
        int newPort = Ports.free();
        endpoints.beginMove();
        try {
            FerryProcess.setKey(ferry.home, file, "port", Integer.toString(newPort));
            ferry.awaitPort(newPort);
            endpoints.movedTo(newPort);
            Ports.awaitRefused(oldPort);
        } finally {
            endpoints.endMove();
        }
        Await.until("port = " + newPort + " from " + file + " in the listener", APPLY_MILLIS,
                () -> console.configApplied(file, "port", Integer.toString(newPort)) ? Boolean.TRUE : null);
        awaitSettled(before);
    }

    private long bundleId(String symbolicName) throws InterruptedException {
        return Await.until("bundle " + symbolicName + " in bundles.json", APPLY_MILLIS,
                () -> console.bundleId(symbolicName));
    }

    Map<String, List<String>> componentStates() throws InterruptedException {
        return Await.until("components.json", APPLY_MILLIS, console::componentStates);
    }

    private void awaitSettled(Map<String, List<String>> before) throws InterruptedException {
        Object[] last = new Object[1];
        try {
            Await.until("every Ferry component back in its state", SETTLE_MILLIS, () -> {
                Map<String, List<String>> now = console.componentStates();
                last[0] = now;
                return Objects.equals(before, now) ? Boolean.TRUE : null;
            });
        } catch (AssertionError e) {
            throw new AssertionError("components did not settle; before " + before + ", now " + last[0], e);
        }
    }
}
