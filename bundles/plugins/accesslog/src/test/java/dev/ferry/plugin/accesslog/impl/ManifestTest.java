package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A plugin needs only the Netty-free exchange API; this checks the manifest bnd generated (it runs before the tests)
 * so an accidental Netty, engine or SPI import cannot slip into the bundle.
 */
public class ManifestTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static Attributes manifest() throws IOException {
        Path file = Path.of("target", "classes", "META-INF", "MANIFEST.MF");
        assertTrue("bnd did not write " + file, Files.isRegularFile(file));
        try (InputStream in = Files.newInputStream(file)) {
            return new Manifest(in).getMainAttributes();
        }
    }

    /** The package names of an Import-Package header, without their attributes. */
    private static List<String> packages(String header) {
        List<String> names = new ArrayList<>();
        for (String clause : header.split(",(?=[a-zA-Z_])")) {
            names.add(clause.split(";")[0].trim());
        }
        return names;
    }

    @Test
    public void importsOnlyTheExchangeAndProxyApiOfFerryAndNoNetty() throws IOException {
        String imports = manifest().getValue("Import-Package");
        assertNotNull("no Import-Package", imports);

        List<String> ferry = new ArrayList<>();
        for (String name : packages(imports)) {
            if (name.startsWith("dev.ferry")) {
                ferry.add(name);
            }
        }
        assertEquals(imports, List.of("dev.ferry.api.exchange", "dev.ferry.api.proxy"), ferry);
        assertFalse(imports, imports.contains("io.netty"));
    }

    @Test
    public void aPrivateBundleWithItsComponent() throws IOException {
        Attributes manifest = manifest();

        assertEquals("dev.ferry.plugin-accesslog", manifest.getValue("Bundle-SymbolicName"));
        assertNotNull("the impl package is private", manifest.getValue("Private-Package"));
        assertEquals("nothing exported", null, manifest.getValue("Export-Package"));
        assertEquals("OSGI-INF/dev.ferry.accesslog.xml", manifest.getValue("Service-Component"));
    }
}
