package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import dev.ferry.testing.LeakCheck;
import java.nio.file.Path;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The settings: defaults, where the file goes, and the errors a bad configuration gets. */
public class LogSettingsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final Path HOME = Path.of("/opt/ferry");

    private static LogSettings parse(Object... keysAndValues) {
        return LogSettings.parse(HookFixture.config(keysAndValues), HOME);
    }

    private static void assertRefused(String message, Object... keysAndValues) {
        try {
            parse(keysAndValues);
            fail("accepted " + java.util.Arrays.toString(keysAndValues));
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void defaults() {
        LogSettings settings = parse("format", "combined");

        assertEquals(LineFormat.COMBINED, settings.format);
        assertEquals(Path.of("/opt/ferry/data/log/access-combined.log"), settings.file);
        assertEquals(10_485_760L, settings.maxFileBytes);
        assertEquals(5, settings.maxFiles);
        assertEquals(10_000, settings.queueLines);
        assertEquals(10, settings.roundMillis);
        assertEquals(-1000, settings.ranking);
    }

    @Test
    public void aRelativeFileIsInTheDistributionFolderAnAbsoluteOneWhereItSays() {
        assertEquals(Path.of("/opt/ferry/logs/squid.log"), parse("format", "squid", "file", "logs/./squid.log").file);
        assertEquals(Path.of("/var/log/ferry/access.json"),
                parse("format", "JSON", "file", "/var/log/ferry/access.json").file);
    }

    @Test
    public void typedAndTextValuesAlike() {
        LogSettings settings = parse("format", " common ", "maxFileBytes", "2048", "maxFiles", 0, "queueLines", 1L,
                "service.ranking", "7");

        assertEquals(LineFormat.COMMON, settings.format);
        assertEquals(2048, settings.maxFileBytes);
        assertEquals(0, settings.maxFiles);
        assertEquals(1, settings.queueLines);
        assertEquals(7, settings.ranking);
    }

    @Test
    public void aFormatNotKnownOrMissingIsRefusedWithTheAllowedValues() {
        assertRefused("format 'xml' is not known; it must be one of squid, common, combined, json", "format", "xml");
        // Felix SCR gives null for a property that is not set and has no default
        assertRefused("format is not set; it must be one of squid, common, combined, json", "format", null);
        assertRefused("format is not set; it must be one of squid, common, combined, json", "format", " ");
    }

    @Test
    public void limitsOutOfRangeAreRefused() {
        assertRefused("maxFileBytes must be at least 1, not 0", "format", "json", "maxFileBytes", 0);
        assertRefused("maxFiles must be 0 to 1000, not -1", "format", "json", "maxFiles", -1);
        assertRefused("queueLines must be 1 to 1000000, not 0", "format", "json", "queueLines", 0);
        assertRefused("queueLines must be 1 to 1000000, not 1000001", "format", "json", "queueLines", 1_000_001);
        assertRefused("roundMillis must be 1 to 1000, not 0", "format", "json", "roundMillis", 0);
        assertRefused("roundMillis must be 1 to 1000, not 1001", "format", "json", "roundMillis", 1001);
    }

    @Test
    public void homeIsFerryHomeOrTheWorkingDirectory() {
        String before = System.getProperty("ferry.home");
        try {
            System.setProperty("ferry.home", "/srv/ferry");
            assertEquals(Path.of("/srv/ferry"), LogSettings.home());
            System.clearProperty("ferry.home");
            assertEquals(Path.of("").toAbsolutePath(), LogSettings.home());
        } finally {
            if (before == null) {
                System.clearProperty("ferry.home");
            } else {
                System.setProperty("ferry.home", before);
            }
        }
    }

    @Test
    public void theLogIsNamedAfterItsConfiguration() {
        assertEquals("json", AccessLogHook.logName(Map.of("service.pid", "dev.ferry.accesslog~json"),
                LineFormat.SQUID));
        assertEquals("combined", AccessLogHook.logName(Map.of("service.pid", "dev.ferry.accesslog.1f2e3d",
                "felix.fileinstall.filename", "file:/opt/ferry/config/dev.ferry.accesslog-combined.cfg"),
                LineFormat.SQUID));
        assertEquals("squid", AccessLogHook.logName(Map.of("service.pid", "dev.ferry.accesslog.1f2e3d"),
                LineFormat.SQUID));
    }
}
