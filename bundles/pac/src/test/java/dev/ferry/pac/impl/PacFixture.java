package dev.ferry.pac.impl;

import dev.ferry.api.proxy.ProxyList;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;
import org.osgi.util.converter.Converters;

/** Writes PAC scripts into a temporary folder and makes resolvers for them; closes them after the test. */
final class PacFixture extends ExternalResource {

    private final TemporaryFolder folder = new TemporaryFolder();
    private final List<PacProxyResolver> resolvers = new ArrayList<>();
    private int files;

    @Override
    protected void before() throws Throwable {
        folder.create();
    }

    @Override
    protected void after() {
        resolvers.forEach(PacProxyResolver::close);
        folder.delete();
    }

    static PacProxyResolver.Config config(Map<String, Object> settings) {
        return Converters.standardConverter().convert(settings).to(PacProxyResolver.Config.class);
    }

    Path write(String script) throws IOException {
        Path file = folder.getRoot().toPath().resolve("proxy" + (++files) + ".pac");
        return rewrite(file, script);
    }

    Path rewrite(Path file, String script) throws IOException {
        Files.write(file, script.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** A resolver for the script, without reloading, plus any settings given as key, value pairs. */
    PacProxyResolver resolver(String script, Object... settings) throws IOException {
        return resolver(Clock.systemDefaultZone(), write(script).toString(), settings);
    }

    PacProxyResolver resolver(Clock clock, String url, Object... settings) {
        PacProxyResolver resolver = new PacProxyResolver(config(url, settings), clock);
        resolvers.add(resolver);
        return resolver;
    }

    /** The configuration for the script at {@code url}, without reloading, plus settings as key, value pairs. */
    static PacProxyResolver.Config config(String url, Object... settings) {
        Map<String, Object> map = new HashMap<>();
        map.put("url", url);
        map.put("reloadSeconds", 0);
        for (int i = 0; i < settings.length; i += 2) {
            map.put((String) settings[i], settings[i + 1]);
        }
        return config(map);
    }

    static ProxyList resolve(PacProxyResolver resolver, String url) {
        return resolver.resolve(URI.create(url));
    }

    /** Polls until {@code condition} holds, for at most {@code millis}; true when it did. */
    static boolean await(long millis, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            if (condition.get()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.get();
    }
}
