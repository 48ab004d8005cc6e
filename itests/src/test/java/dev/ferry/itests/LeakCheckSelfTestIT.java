package dev.ferry.itests;

import static org.junit.Assert.assertTrue;

import dev.ferry.itests.misbehaving.LeakingActivator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.Test;
import org.ops4j.pax.tinybundles.TinyBundles;

/**
 * The leak check of the proxy processes the itests start can fail: a bundle that loses a Netty buffer, dropped into
 * a running distribution (paranoid leak detection, as every IT runs it), makes {@link FerryProcess#assertNoLeaks}
 * fail. Without this, a check that never sees a report would look the same as a proxy that never leaks.
 */
public class LeakCheckSelfTestIT {

    @Test
    public void aBufferLostInTheProxyProcessFailsTheLeakCheck() throws Exception {
        try (TestOrigin origin = new TestOrigin(null);
                FerryProcess ferry = FerryProcess.start("-Xmx64m", Map.of())) {
            ferry.checkForLeaks(origin.url("/bytes?n=1000"));
            try (InputStream built = TinyBundles.bundle()
                    .symbolicName("dev.ferry.itests.leaking")
                    .setHeader("Bundle-ManifestVersion", "2")
                    .setHeader("Import-Package", "io.netty.buffer,org.osgi.framework")
                    .activator(LeakingActivator.class)
                    .build()) {
                Path staged = ferry.home.resolve("deploy/.leaking.jar.tmp");
                Files.copy(built, staged, StandardCopyOption.REPLACE_EXISTING);
                Files.move(staged, ferry.home.resolve("deploy/leaking.jar"), StandardCopyOption.ATOMIC_MOVE);
            }
            Await.until("the leaking bundle started", 15_000,
                    () -> ferry.stdout().contains("allocated a buffer and dropped it unreleased") ? Boolean.TRUE : null);
            // The detector reports a lost buffer when it notices it was collected, on a later allocation.
            String report = Await.until("Netty's LEAK report", 30_000, () -> {
                ferry.collectGarbage();
                Curl.run("-x", ferry.httpProxy(), origin.url("/bytes?n=100000"), "-o", "/dev/null");
                try {
                    ferry.assertNoLeaks();
                    return null;
                } catch (AssertionError reported) {
                    return reported.getMessage();
                }
            });
            assertTrue(report, report.contains("LEAK:"));
            assertTrue(report, report.contains("LeakingActivator"));
        }
    }
}
