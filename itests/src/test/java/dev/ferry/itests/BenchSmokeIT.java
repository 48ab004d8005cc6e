package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.Test;

/**
 * The benchmark harness keeps working: {@code bench/run.sh --smoke} measures every figure of BENCHMARKS.md for a
 * second or two (direct, Squid and Ferry, the same nginx origin and load) and fails when one is missing, zero, or
 * came with a failed request. The figures of such a short run mean nothing; only that each one was measured. Needs
 * nginx, squid-openssl and wrk (Debian packages; the script installs them when missing, {@code .ci/run} does too).
 */
public class BenchSmokeIT {

    private static final Path REPOSITORY = Paths.get(System.getProperty("ferry.distribution"), "..", "..", "..")
            .normalize();
    private static final String[] ROWS = {
        "keep-alive GET, plain listener", "keep-alive GET, TLS listener", "proxy CPU µs per fresh tunnel, plain",
        "proxy CPU µs per fresh tunnel, tls", "bulk CONNECT", "bulk absolute-URI GET", "RSS at start",
        "RSS KiB per idle keep-alive connection", "RSS KiB per idle tunnel", "spdy/3.1, 100 streams", "h2, 100 streams"};

    @Test
    public void everyFigureIsMeasured() throws Exception {
        Path report = Paths.get("target", "bench-smoke", "BENCHMARKS.md").toAbsolutePath();
        Files.createDirectories(report.getParent());
        Files.deleteIfExists(report);

        CommandResult run = CommandResult.run(List.of("bash", REPOSITORY.resolve("bench/run.sh").toString(),
                "--smoke", "--out", report.toString()), 900);

        assertEquals(run.toString(), 0, run.exit);
        String text = new String(Files.readAllBytes(report), StandardCharsets.UTF_8);
        System.out.println(text);
        for (String row : ROWS) {
            String line = text.lines().filter(l -> l.startsWith("| " + row)).findFirst()
                    .orElseThrow(() -> new AssertionError("no row '" + row + "' in\n" + text));
            // The Ferry column (the fourth cell) holds a figure. (RSS per idle connection may be negative: the JVM
            // can give memory back between the two readings, and a run of seconds holds few connections.)
            String ferry = line.split("\\|")[4].trim();
            assertTrue(row + ": " + line, ferry.matches("-?[0-9.]+x?( \\[.*\\])?"));
        }
    }
}
