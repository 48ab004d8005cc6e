package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The built distribution ({@code distribution/target/ferry}) copied to a scratch folder, configured with free ports
 * and given settings, and run as its own process through {@code bin/ferry}, exactly as a user starts it.
 */
final class FerryProcess implements Closeable {

    static final Path DISTRIBUTION = Path.of(System.getProperty("ferry.distribution",
            "../distribution/target/ferry")).toAbsolutePath().normalize();

    final Path home;
    final int httpPort;
    final int httpsPort;
    final int consolePort;
    private final ProcessBuilder command;
    private Process process;

    private FerryProcess(Path home, int httpPort, int httpsPort, int consolePort, ProcessBuilder command)
            throws IOException {
        this.home = home;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.consolePort = consolePort;
        this.command = command;
        this.process = command.start();
    }

    /**
     * Starts a copy of the distribution. {@code settings} maps a config file name (e.g. {@code dev.ferry.pool.cfg})
     * to lines that replace or add keys in it.
     */
    static FerryProcess start(String jvmOptions, Map<String, Map<String, String>> settings) throws Exception {
        return start(jvmOptions, settings, 0);
    }

    /**
     * Like {@link #start(String, Map)}, with the process's hard open files limit lowered to {@code openFilesLimit}
     * first (0: as inherited); {@code bin/ferry} raises the soft limit to it.
     */
    static FerryProcess start(String jvmOptions, Map<String, Map<String, String>> settings, int openFilesLimit)
            throws Exception {
        assertTrue("build the distribution first: " + DISTRIBUTION, Files.isDirectory(DISTRIBUTION.resolve("bin")));
        Path home = Files.createTempDirectory("ferry-e2e-");
        copyTree(DISTRIBUTION, home);
        int http = Ports.free();
        int https = Ports.free();
        int console = Ports.free();
        setKey(home, "dev.ferry.listener-http.cfg", "port", Integer.toString(http));
        setKey(home, "dev.ferry.listener-https.cfg", "port", Integer.toString(https));
        // The shipped ACL lets CONNECT reach port 443 only; the test origins listen on free ports. Tests of the ACL
        // itself set it back.
        setKey(home, "dev.ferry.acl.cfg", "connectPorts", "[ ]");
        for (Map.Entry<String, Map<String, String>> file : settings.entrySet()) {
            for (Map.Entry<String, String> key : file.getValue().entrySet()) {
                setKey(home, file.getKey(), key.getKey(), key.getValue());
            }
        }
        ProcessBuilder pb = openFilesLimit > 0
                ? new ProcessBuilder("sh", "-c", "ulimit -n " + openFilesLimit + " && exec \"$0\"",
                        home.resolve("bin/ferry").toString())
                : new ProcessBuilder(home.resolve("bin/ferry").toString());
        pb.environment().put("FERRY_OPTS", jvmOptions + " -Dferry.console.port=" + console
                + " -Dio.netty.leakDetection.level=paranoid");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("stdout.log").toFile()));
        FerryProcess ferry = new FerryProcess(home, http, https, console, pb);
        try {
            ferry.awaitPort(http);
            ferry.awaitPort(https);
        } catch (Throwable notStarted) {
            // Nobody else holds it yet: a Ferry that did not come up must not live on after the test.
            ferry.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw notStarted;
        }
        return ferry;
    }

    /**
     * Starts several copies, two at a time (more only compete for the CPUs); returns them in the order of
     * {@code settings}. If one fails to start, the others are stopped again.
     */
    @SafeVarargs
    static List<FerryProcess> startAll(String jvmOptions, Map<String, Map<String, String>>... settings)
            throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(Math.min(2, settings.length));
        try {
            List<Future<FerryProcess>> starting = new ArrayList<>();
            for (Map<String, Map<String, String>> s : settings) {
                starting.add(starters.submit(() -> start(jvmOptions, s)));
            }
            List<FerryProcess> started = new ArrayList<>();
            Exception failure = null;
            for (Future<FerryProcess> f : starting) {
                try {
                    started.add(f.get());
                } catch (ExecutionException e) {
                    failure = e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                }
            }
            if (failure != null) {
                for (FerryProcess ferry : started) {
                    ferry.close();
                }
                throw failure;
            }
            return started;
        } finally {
            starters.shutdown();
        }
    }

    /** The plain HTTP listener as a proxy URL, for curl's {@code -x} and for other Ferries' rules. */
    String httpProxy() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The TLS listener as a proxy URL. */
    String httpsProxy() {
        return "https://127.0.0.1:" + httpsPort;
    }

    /** The self-signed certificate this copy generated at its first start (when none was configured). */
    Path generatedCertificate() {
        return home.resolve("data/tls/proxy-cert.pem");
    }

    /** Waits (5 s at most) for an access log line that contains {@code text} and returns it. */
    String awaitAccessLine(String text) throws InterruptedException {
        try {
            return Await.until("access log line", 5000,
                    () -> accessLog().lines().filter(l -> l.contains(text)).findFirst().orElse(null));
        } catch (AssertionError e) {
            throw new AssertionError("no access log line with '" + text + "' in " + home + ":\n" + accessLog(), e);
        }
    }

    void awaitPort(int port) throws Exception {
        // Generous: on a busy two-CPU machine two JVMs starting side by side each take a while.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue("ferry exited early:\n" + stdout(), process.isAlive());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("port " + port + " not accepting after 60 s:\n" + stdout());
    }

    /**
     * Replaces {@code key}'s line in a config file of this copy (with the lines it continues onto, a list written
     * over several lines ending in a backslash), or appends it.
     */
    static void setKey(Path home, String file, String key, String value) throws IOException {
        Path cfg = home.resolve("config").resolve(file);
        List<String> lines = Files.exists(cfg) ? new ArrayList<>(Files.readAllLines(cfg)) : new ArrayList<>();
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (!line.startsWith("#") && line.matches("\\Q" + key + "\\E\\s*[=:].*")) {
                lines.set(i, key + " = " + value);
                replaced = true;
                for (String continued = line; continued.endsWith("\\") && i + 1 < lines.size();) {
                    continued = lines.remove(i + 1).trim();
                }
            }
        }
        if (!replaced) {
            lines.add(key + " = " + value);
        }
        // Write beside and move, so FileInstall never reads half a file.
        Path tmp = cfg.resolveSibling("." + file + ".tmp");
        Files.write(tmp, lines);
        Files.move(tmp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    String stdout() {
        return read(home.resolve("stdout.log"));
    }

    String log() {
        return read(home.resolve("data/log/ferry.log"));
    }

    String accessLog() {
        return read(home.resolve("data/log/access.log"));
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process (SIGKILL): the kernel closes its sockets, nothing of it runs any more. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM, as a service manager stopping the proxy does, and returns at once. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to end; returns its exit status, or -1 if it is still running after {@code seconds}. */
    int awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "cannot read " + file + ": " + e;
        }
    }

    /** Runs a full GC in the proxy, so that paranoid leak detection reports every buffer nobody released. */
    void collectGarbage() throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "GC.run").redirectErrorStream(true).start();
        jcmd.getInputStream().readAllBytes();
        assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS));
    }

    void assertNoLeaks() {
        String all = stdout() + log();
        assertFalse("Netty reported a leak:\n" + all, all.contains("LEAK:"));
    }

    /**
     * Collects garbage in the proxy, then sends one request to {@code url} through it (paranoid leak detection
     * reports on a later allocation) and fails if a leak was reported.
     */
    void checkForLeaks(String url) throws Exception {
        checkForLeaks(httpProxy(), url);
    }

    /** {@link #checkForLeaks(String)} through {@code proxy}, e.g. a listener whose port a test changed. */
    void checkForLeaks(String proxy, String url) throws Exception {
        collectGarbage();
        Curl c = Curl.run("-x", proxy, url, "-o", "/dev/null");
        assertEquals("the request made after the collection (so that leaks are reported): " + c, 0, c.exit);
        assertNoLeaks();
    }

    /** Stops the process (as Ctrl-C would) and starts the same installation again. */
    void restart() throws Exception {
        stopProcess();
        process = command.start();
        awaitPort(httpPort);
        awaitPort(httpsPort);
    }

    private void stopProcess() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        stopProcess();
        if (Boolean.getBoolean("ferry.keep")) {
            return;
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(p);
                if (rel.startsWith("data")) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
