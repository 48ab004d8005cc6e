package dev.ferry.plugin.headers.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A plugin needs only the Netty-free exchange API; this checks the manifest and component description bnd generated
 * (it runs before the tests) so an accidental Netty, SPI or engine import cannot slip into the bundle.
 */
public class ManifestTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final Path CLASSES = Path.of("target", "classes");

    private static Attributes manifest() throws IOException {
        Path file = CLASSES.resolve("META-INF/MANIFEST.MF");
        assertTrue("bnd did not write " + file, Files.isRegularFile(file));
        try (InputStream in = Files.newInputStream(file)) {
            return new Manifest(in).getMainAttributes();
        }
    }

    @Test
    public void importsOnlyTheExchangeAndProxyApiOfFerryAndNoNetty() throws IOException {
        String imports = manifest().getValue("Import-Package");
        assertTrue("no Import-Package", imports != null);

        Set<String> ferry = new TreeSet<>();
        Matcher m = Pattern.compile("dev\\.ferry\\.[\\w.]+").matcher(imports);
        while (m.find()) {
            ferry.add(m.group());
        }
        assertTrue(imports, ferry.contains("dev.ferry.api.exchange"));
        assertTrue(imports, Set.of("dev.ferry.api.exchange", "dev.ferry.api.proxy").containsAll(ferry));
        assertFalse(imports, imports.contains("io.netty"));
    }

    @Test
    public void isThePrivatePluginBundle() throws IOException {
        Attributes manifest = manifest();
        assertEquals("dev.ferry.plugin-headers", manifest.getValue("Bundle-SymbolicName"));
        assertNull("nothing exported", manifest.getValue("Export-Package"));
        assertEquals("dev.ferry.plugin.headers.impl", manifest.getValue("Private-Package"));
        assertEquals("OSGI-INF/dev.ferry.headers.xml", manifest.getValue("Service-Component"));
    }

    @Test
    public void theComponentRegistersItsServiceItself() throws IOException {
        String xml = Files.readString(CLASSES.resolve("OSGI-INF/dev.ferry.headers.xml"));
        assertTrue(xml, xml.contains("name=\"dev.ferry.headers\""));
        assertTrue(xml, xml.contains("configuration-pid=\"dev.ferry.headers\""));
        assertTrue(xml, xml.contains("configuration-policy=\"optional\""));
        assertTrue(xml, xml.contains("modified=\"modified\""));
        assertFalse("no DS-registered service: the component registers only while it has work", xml.contains(
                "<service"));
        assertTrue(xml, xml.contains("<property name=\"service.ranking\" type=\"Integer\" value=\"100\"/>"));
    }
}
