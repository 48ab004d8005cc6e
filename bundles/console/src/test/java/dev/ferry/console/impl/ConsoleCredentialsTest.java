package dev.ferry.console.impl;

import static dev.ferry.console.impl.CredentialsManager.WEBCONSOLE_PID;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;

public class ConsoleCredentialsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static BundleContext context(String ferryData, File dataArea) {
        return (BundleContext) Proxy.newProxyInstance(ConsoleCredentialsTest.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getProperty":
                            return "ferry.data".equals(args[0]) ? ferryData : null;
                        case "getDataFile":
                            return dataArea == null ? null : new File(dataArea, (String) args[0]);
                        default:
                            throw new UnsupportedOperationException(method.toString());
                    }
                });
    }

    @Test
    public void usesFerryDataWhenSet() throws IOException {
        assertEquals(Path.of("/opt/ferry/data"),
                ConsoleCredentials.dataDirectory(context(" /opt/ferry/data ", new File("/cache/bundle7/data"))));
    }

    @Test
    public void fallsBackToTheBundleDataArea() throws IOException {
        assertEquals(new File("/cache/bundle7/data", "").toPath(),
                ConsoleCredentials.dataDirectory(context(null, new File("/cache/bundle7/data"))));
        assertEquals(new File("/cache/bundle7/data", "").toPath(),
                ConsoleCredentials.dataDirectory(context("", new File("/cache/bundle7/data"))));
    }

    @Test
    public void failsWithoutAnyPlaceForTheFile() {
        assertThrows(IOException.class, () -> ConsoleCredentials.dataDirectory(context(null, null)));
    }

    @Test
    public void activationSetsTheGeneratedPasswordAndEventsKeepIt() throws Exception {
        FakeConfigurationAdmin cm = new FakeConfigurationAdmin();
        Path data = tmp.getRoot().toPath();
        ConsoleCredentials component = new ConsoleCredentials(cm.service, context(data.toString(), null));

        String password = Files.readString(data.resolve("console-password")).strip();
        assertTrue(PasswordHash.matches((String) cm.get(WEBCONSOLE_PID).get("password"), password));

        cm.delete(WEBCONSOLE_PID);
        component.configurationEvent(event(ConfigurationEvent.CM_DELETED, "other.pid"));
        assertNull("events for other PIDs are ignored", cm.get(WEBCONSOLE_PID));
        component.configurationEvent(event(ConfigurationEvent.CM_LOCATION_CHANGED, WEBCONSOLE_PID));
        assertNull("location changes are ignored", cm.get(WEBCONSOLE_PID));

        component.configurationEvent(event(ConfigurationEvent.CM_DELETED, WEBCONSOLE_PID));
        assertTrue(PasswordHash.matches((String) cm.get(WEBCONSOLE_PID).get("password"), password));
        assertEquals(2, cm.updates(WEBCONSOLE_PID));
    }

    @SuppressWarnings("unchecked")
    private static ConfigurationEvent event(int type, String pid) {
        ServiceReference<ConfigurationAdmin> reference = (ServiceReference<ConfigurationAdmin>) Proxy.newProxyInstance(
                ConsoleCredentialsTest.class.getClassLoader(), new Class<?>[] {ServiceReference.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.toString());
                });
        return new ConfigurationEvent(reference, type, null, pid);
    }
}
