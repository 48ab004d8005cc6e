package dev.ferry.plugin.auth.impl;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Manifest;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A plugin needs only the Netty-free exchange API; this checks the manifest and component description bnd generated
 * (it runs before the tests) so that an accidental Netty import, or a lost service property, cannot slip in.
 */
public class ManifestTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static String importPackage() throws IOException {
        Path file = Path.of("target", "classes", "META-INF", "MANIFEST.MF");
        assertTrue("bnd did not write " + file, Files.isRegularFile(file));
        try (InputStream in = Files.newInputStream(file)) {
            String imports = new Manifest(in).getMainAttributes().getValue("Import-Package");
            assertNotNull("no Import-Package in " + file, imports);
            return imports;
        }
    }

    @Test
    public void importsTheExchangeApiAndNoNetty() throws IOException {
        String imports = importPackage();

        assertTrue(imports, imports.contains("dev.ferry.api.exchange"));
        assertFalse(imports, imports.contains("io.netty"));
        assertFalse(imports, imports.contains("dev.ferry.api.spi"));
    }

    @Test
    public void theComponentNeedsAConfigurationAndTellsTheEngineItRestrictsClients() throws IOException {
        Path file = Path.of("target", "classes", "OSGI-INF", "dev.ferry.auth.xml");
        assertTrue("bnd did not write " + file, Files.isRegularFile(file));
        String component = Files.readString(file);

        assertTrue(component, component.contains("configuration-policy=\"require\""));
        assertTrue(component, component.contains("configuration-pid=\"dev.ferry.auth\""));
        assertTrue(component, component.contains(
                "<property name=\"service.ranking\" type=\"Integer\" value=\"2000\"/>"));
        assertTrue(component, component.contains(
                "<property name=\"dev.ferry.exchange.restrictsClients\" type=\"Boolean\" value=\"true\"/>"));
        assertTrue(component, component.contains("dev.ferry.api.exchange.ExchangeHook"));
    }
}
