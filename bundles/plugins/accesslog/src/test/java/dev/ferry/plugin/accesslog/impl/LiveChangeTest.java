package dev.ferry.plugin.accesslog.impl;

import static dev.ferry.plugin.accesslog.impl.HookFixture.config;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The component's life: registered while active, a new ranking registered before the old one goes, a new file taken
 * without losing a line, a bad change refused. Seen through the service objects the engine would have bound,
 * registered with a recording bundle context.
 */
public class LiveChangeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();
    @Rule
    public final HookFixture hooks = new HookFixture();

    /** What the bundle context saw: registrations and unregistrations, in order. */
    private final List<String> events = new ArrayList<>();
    private final List<ExchangeHook> registered = new ArrayList<>();
    private final List<Dictionary<String, ?>> properties = new ArrayList<>();
    private AccessLogHook hook;

    private Path home() {
        return folder.getRoot().toPath();
    }

    private ExchangeHook activate(String name, AccessLogHook.Config config) {
        hook = hooks.hook(name, config, home());
        hook.register(recordingContext(), HookFixture.identity(name));
        return registered.get(0);
    }

    private List<String> read(String file) throws IOException {
        return Files.readAllLines(home().resolve(file), StandardCharsets.UTF_8);
    }

    @Test
    public void registeredWhileActiveWithItsNameAndRanking() throws IOException {
        ExchangeHook bound = activate("combined", config("format", "combined", "file", "access.log"));

        Dictionary<String, ?> first = properties.get(0);
        assertEquals(-1000, first.get("service.ranking"));
        assertEquals("dev.ferry.accesslog", first.get("component.name"));
        assertEquals("dev.ferry.accesslog~combined", first.get("service.pid"));
        assertNull("the settings are no service properties", first.get("file"));
        assertTrue(LogWriterTest.threadAlive("combined"));

        bound.onEnd(Exchanges.getWithUser());
        hooks.deactivate(hook);

        assertEquals(List.of("register -1000", "unregister -1000"), events);
        assertEquals(List.of(LineFormat.COMBINED.line(Exchanges.getWithUser(), null)), read("access.log"));
        assertTrue("the writer thread is gone", !LogWriterTest.threadAlive("combined"));
        bound.onEnd(Exchanges.noStatus()); // an exchange that outlived the log: nothing written, nothing thrown
        assertEquals(1, read("access.log").size());
        assertEquals("no file handle left open", 0, OpenFiles.count(home().resolve("access.log")));
    }

    @Test
    public void aNewRankingRegistersAgainBeforeTheOldRegistrationGoes() throws IOException {
        activate("json", config("format", "json", "file", "access.json"));

        hook.modified(config("format", "json", "file", "access.json", "service.ranking", 500));
        hook.modified(config("format", "json", "file", "access.json", "service.ranking", 500, "queueLines", 5));

        assertEquals(List.of("register -1000", "register 500", "unregister -1000"), events);
        assertNotSame("the engine tells its hooks apart by identity", registered.get(0), registered.get(1));
        registered.get(1).onEnd(Exchanges.deniedConnect());
        hooks.deactivate(hook);
        assertEquals(List.of(LineFormat.JSON.line(Exchanges.deniedConnect(), null)), read("access.json"));
    }

    @Test
    public void aNewFileIsTakenWithoutLosingALine() throws Exception {
        ExchangeHook bound = activate("switch", config("format", "common", "file", "old.log"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        Thread exchanges = new Thread(() -> {
            while (!stop.get()) {
                bound.onEnd(Exchanges.numbered(sent.getAndIncrement()));
            }
        });
        exchanges.start();
        awaitAtLeast(sent, 2000);
        hook.modified(config("format", "common", "file", "logs/new.log"));
        assertEquals("the old writer thread is gone, the new one runs", 1, writerThreads("switch"));
        int atSwitch = sent.get();
        awaitAtLeast(sent, atSwitch + 2000);
        stop.set(true);
        exchanges.join();
        hooks.deactivate(hook);

        List<Integer> before = numbers(read("old.log"));
        List<Integer> after = numbers(read("logs/new.log"));
        assertTrue("lines before the switch: " + before.size(), before.size() >= 2000);
        assertTrue("lines after the switch: " + after.size(), after.size() >= 2000);
        List<Integer> all = new ArrayList<>(before);
        all.addAll(after);
        for (int n = 0; n < sent.get(); n++) {
            assertEquals("line " + n + " (of " + sent.get() + ")", Integer.valueOf(n), all.get(n));
        }
        assertEquals(sent.get(), all.size());
        assertEquals(0, writerThreads("switch"));
        assertEquals(List.of("register -1000", "unregister -1000"), events);
    }

    @Test
    public void aNewFormatTakesTheNextLineInTheSameFile() throws IOException {
        ExchangeHook bound = activate("format", config("format", "common", "file", "access.log"));
        bound.onEnd(Exchanges.getWithUser());

        hook.modified(config("format", "squid", "file", "access.log"));
        bound.onEnd(Exchanges.getWithUser());
        hooks.deactivate(hook);

        assertEquals(List.of(LineFormat.COMMON.line(Exchanges.getWithUser(), null),
                LineFormat.SQUID.line(Exchanges.getWithUser(), null)), read("access.log"));
    }

    @Test
    public void aBadFormatIsRefusedWithTheMessage() throws IOException {
        try {
            hooks.hook("bad", config("format", "apache", "file", "bad.log"), home());
            throw new AssertionError("activated with format apache");
        } catch (IllegalArgumentException e) {
            assertEquals("dev.ferry.accesslog: format 'apache' is not known; it must be one of squid, common,"
                    + " combined, json", e.getMessage());
        }
        assertTrue("no writer for a refused configuration", !LogWriterTest.threadAlive("bad"));

        ExchangeHook bound = activate("kept", config("format", "json", "file", "kept.log"));
        hook.modified(config("format", "xml", "file", "other.log", "service.ranking", 9));
        bound.onEnd(Exchanges.noStatus());
        hooks.deactivate(hook);

        assertEquals("the log in force stays", List.of(LineFormat.JSON.line(Exchanges.noStatus(), null)),
                read("kept.log"));
        assertTrue(!Files.exists(home().resolve("other.log")));
        assertEquals("no ranking of a refused change", List.of("register -1000", "unregister -1000"), events);
    }

    @Test
    public void twoLogsCannotShareAFile() {
        hooks.hook("first", config("format", "json", "file", "same.log"), home());
        try {
            hooks.hook("second", config("format", "squid", "file", "./same.log"), home());
            throw new AssertionError("two logs of one file");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("already written by another access log"));
        }
    }

    private static void awaitAtLeast(AtomicInteger counter, int value) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (counter.get() < value) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + counter.get() + " exchanges in 10 s");
            }
            Thread.sleep(1);
        }
    }

    /** The numbers at the ends of the lines' targets ("GET http://example.org/<n> HTTP/1.1"). */
    private static List<Integer> numbers(List<String> lines) {
        List<Integer> numbers = new ArrayList<>();
        for (String line : lines) {
            int start = line.indexOf("example.org/") + "example.org/".length();
            numbers.add(Integer.valueOf(line.substring(start, line.indexOf(' ', start))));
        }
        return numbers;
    }

    private static long writerThreads(String logName) {
        String name = LogWriter.threadName(logName);
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive())
                .count();
    }

    /** A bundle context that records each registration of an ExchangeHook and its end. */
    @SuppressWarnings("unchecked")
    private BundleContext recordingContext() {
        ClassLoader loader = getClass().getClassLoader();
        return (BundleContext) Proxy.newProxyInstance(loader, new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    assertEquals("registerService", method.getName());
                    assertEquals(ExchangeHook.class, args[0]);
                    Dictionary<String, ?> props = (Dictionary<String, ?>) args[2];
                    int ranking = (Integer) props.get("service.ranking");
                    registered.add((ExchangeHook) args[1]);
                    properties.add(props);
                    events.add("register " + ranking);
                    return Proxy.newProxyInstance(loader, new Class<?>[] {ServiceRegistration.class},
                            (registration, call, none) -> {
                                assertEquals("unregister", call.getName());
                                events.add("unregister " + ranking);
                                return null;
                            });
                });
    }
}
