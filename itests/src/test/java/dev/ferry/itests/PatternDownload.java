package dev.ferry.itests;

import static org.junit.Assert.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Downloads {@link Patterns} data ({@code /bytes?n=N} of a {@link TestOrigin}) with curl and checks every byte. */
final class PatternDownload {

    private PatternDownload() {
    }

    /** Fetches {@code url} through {@code proxy} (TLS origins unverified) and fails unless all N bytes are right. */
    static void assertIntact(FerryProcess proxy, String url) throws Exception {
        long n = Long.parseLong(url.replaceFirst(".*[?&]n=(\\d+).*", "$1"));
        Path file = Files.createTempFile("ferry-download", ".bin");
        try {
            Curl c = Curl.run("-x", proxy.httpProxy(), "-k", "-o", file.toString(), url);
            assertEquals(c.toString(), 0, c.exit);
            try (InputStream in = Files.newInputStream(file)) {
                String[] digest = Patterns.digest(in);
                assertEquals(url, Long.toString(n), digest[1]);
                assertEquals(url, Patterns.sha256(n), digest[0]);
            }
        } finally {
            Files.delete(file);
        }
    }
}
