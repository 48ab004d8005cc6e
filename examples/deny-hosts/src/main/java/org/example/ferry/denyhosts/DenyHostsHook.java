package org.example.ferry.denyhosts;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Denies requests to the hosts listed in a file (one name a line; a name also covers the names under it), with
 * {@code 403} and {@code Proxy-Status: ...; error=http_request_denied}. The file is read again within a second of a
 * change, on this plugin's own thread: {@link #onRequest} runs on a proxy I/O thread and only looks at a set.
 */
@Component(configurationPid = DenyHostsHook.PID, property = "service.ranking:Integer=500")
@Designate(ocd = DenyHostsHook.Config.class)
public class DenyHostsHook implements ExchangeHook {

    static final String PID = "org.example.ferry.denyhosts";

    @ObjectClassDefinition(name = "Deny hosts (example Ferry plugin)")
    public @interface Config {
        @AttributeDefinition(description = "File of denied host names, one a line (# comments); relative to the "
                + "Ferry folder")
        String hostsFile() default "etc/denied-hosts";
    }

    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "deny-hosts-reader");
        t.setDaemon(true);
        return t;
    });
    private volatile Path file;
    private volatile Set<String> denied = Set.of();
    /** The file's time when it was read last; touched by the reader thread only. */
    private FileTime readAt;
    private boolean polling;

    @Activate
    @Modified
    synchronized void configure(Config config) {
        Path home = Path.of(System.getProperty("ferry.home", "."));
        file = home.resolve(config.hostsFile());
        if (!polling) {
            polling = true;
            reader.scheduleWithFixedDelay(this::readIfChanged, 0, 1, TimeUnit.SECONDS);
        } else {
            reader.execute(this::readIfChanged);
        }
    }

    @Deactivate
    void deactivate() {
        reader.shutdownNow();
    }

    @Override
    public CompletionStage<Verdict> onRequest(ClientRequest request) {
        Set<String> now = denied;
        for (String name = request.host().toLowerCase(Locale.ROOT); !name.isEmpty();
                name = name.indexOf('.') < 0 ? "" : name.substring(name.indexOf('.') + 1)) {
            if (now.contains(name)) {
                return CompletableFuture.completedFuture(Verdict.deny(ProxyErrorType.HTTP_REQUEST_DENIED,
                        "host " + request.host() + " is denied (" + name + " in " + file.getFileName() + ")"));
            }
        }
        return CompletableFuture.completedFuture(Verdict.proceed());
    }

    /** On the reader thread: the set anew when the file changed; a missing file denies nothing. */
    private void readIfChanged() {
        Path current = file;
        try {
            // (a new file path reads at once: its time is compared with the old file's, and rarely equal)
            FileTime modified = Files.exists(current) ? Files.getLastModifiedTime(current) : FileTime.fromMillis(0);
            if (modified.equals(readAt)) {
                return;
            }
            Set<String> names = new HashSet<>();
            if (Files.exists(current)) {
                for (String line : Files.readAllLines(current)) {
                    String name = line.replaceFirst("#.*", "").trim().toLowerCase(Locale.ROOT);
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            }
            denied = Set.copyOf(names);
            readAt = modified;
        } catch (IOException e) {
            // Keep the names read last; the next second tries again.
            readAt = null;
        }
    }
}
