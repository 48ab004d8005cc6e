package dev.ferry.plugin.auth.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Headers;
import dev.ferry.api.exchange.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.util.converter.Converters;

/**
 * What the hook tests share: users files hashed at a low iteration count (fast), requests, configurations, and a
 * hasher that records where and how often it verifies.
 */
final class HookFixture {

    static final int TEST_ITERATIONS = 1_000;

    private HookFixture() {
    }

    /** Counts verifications and remembers their threads. */
    static final class RecordingHasher extends PasswordHasher {
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger verifications = new AtomicInteger();

        RecordingHasher() {
            super(TEST_ITERATIONS);
        }

        @Override
        boolean verify(char[] password, PasswordHash stored) {
            threads.add(Thread.currentThread());
            verifications.incrementAndGet();
            return super.verify(password, stored);
        }

        @Override
        void verifyUnknownUser(char[] password, int iterations) {
            threads.add(Thread.currentThread());
            verifications.incrementAndGet();
            super.verifyUnknownUser(password, iterations);
        }
    }

    /** Writes a users file with {@code userAndPassword} pairs, hashed at {@link #TEST_ITERATIONS}. */
    static Path writeUsers(Path file, String... userAndPassword) throws IOException {
        PasswordHasher hasher = new PasswordHasher(TEST_ITERATIONS);
        List<String> lines = new ArrayList<>(List.of("# test users"));
        for (int i = 0; i < userAndPassword.length; i += 2) {
            lines.add(userAndPassword[i] + ":" + hasher.hash(userAndPassword[i + 1].toCharArray()).format());
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static ClientRequest request(String listener, String client, String proxyAuthorization) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Host", "example.org"));
        if (proxyAuthorization != null) {
            headers.add(Map.entry("Proxy-Authorization", proxyAuthorization));
        }
        return ClientRequest.builder().client(new InetSocketAddress(client, 50_000))
                .local(new InetSocketAddress("127.0.0.1", 3128)).listener(listener).protocol("http/1.1")
                .method("GET").target("http://example.org/", "example.org", 80).headers(Headers.of(headers)).build();
    }

    static ClientRequest request(String proxyAuthorization) {
        return request("http", "10.0.0.1", proxyAuthorization);
    }

    /** A configuration: {@code keyAndValue} pairs over the defaults. */
    static BasicAuthHook.Config config(Object... keyAndValue) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyAndValue.length; i += 2) {
            map.put((String) keyAndValue[i], keyAndValue[i + 1]);
        }
        return Converters.standardConverter().convert(map).to(BasicAuthHook.Config.class);
    }

    static Verdict await(CompletionStage<Verdict> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
