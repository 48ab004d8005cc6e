package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.ResponseHead;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an access log in a format log tools read: Squid native, Common, Combined or JSON lines ({@link LineFormat}).
 * One component per factory configuration ({@code config/dev.ferry.accesslog-<name>.cfg}), so an operator can keep
 * several logs, each with its own file and writer thread.
 *
 * <p>Threading: {@link #onEnd} runs on a proxy I/O thread that serves many connections, so it only formats the line
 * and offers it to the log's queue; the file is written by the log's own thread ({@link LogWriter}), and a full
 * queue drops lines rather than hold the proxy up. {@link #onResponse} records the response's Content-Type, for
 * Squid's format only ({@link ResponseContentTypes} says why that cannot leak).
 *
 * <p>A change applies in place: a new format takes the next line; new limits apply to the open file; a new file
 * starts a new writer before the old one writes what it has queued and closes, so no line is lost in the switch.
 * A change that does not parse (or a file that cannot be opened) is refused with one ERROR line and the log in force
 * stays; at activation the component fails, with the setting named. The service is registered by the component
 * itself ({@link HookRegistration}) so that a new {@code service.ranking} registers it again with no gap.
 */
// Immediate, so that a bad configuration fails (and is logged) when it is made, not at the first exchange.
@Component(name = AccessLogHook.PID, service = {}, configurationPid = AccessLogHook.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = AccessLogHook.Config.class, factory = true)
public final class AccessLogHook implements ExchangeHook {

    static final String PID = "dev.ferry.accesslog";
    private static final String COMPONENT_NAME = "component.name";
    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    @ObjectClassDefinition(name = "Ferry plugin: access log formats", description = "An access log in a standard"
            + " format for log tools, written by a thread of its own and rotated by size; one per configuration")
    public @interface Config {
        @AttributeDefinition(name = "Format", description = "squid (Squid native), common (NCSA Common Log Format),"
                + " combined (Common with Referer and User-Agent) or json (one JSON object per line)", options = {
                    @Option(label = "Squid native", value = "squid"), @Option(label = "Common", value = "common"),
                    @Option(label = "Combined", value = "combined"), @Option(label = "JSON lines", value = "json")})
        String format();

        @AttributeDefinition(name = "File", description = "The log file; a relative path is relative to the"
                + " distribution's folder (ferry.home). Empty: data/log/access-<format>.log", required = false)
        String file() default "";

        @AttributeDefinition(name = "Rotate at bytes", description = "A line that would take the file past this"
                + " size rotates it first: file.1 is the newest old file, file.<maxFiles> the oldest")
        long maxFileBytes() default 10485760L;

        @AttributeDefinition(name = "Old files kept", description = "How many rotated files to keep (0: none)")
        int maxFiles() default 5;

        @AttributeDefinition(name = "Queue lines", description = "Lines that may wait for the writer; when that"
                + " many wait, new lines are dropped and counted (one WARN a minute at most)")
        int queueLines() default 10000;

        @AttributeDefinition(name = "Round milliseconds", description = "While lines keep coming, the writer takes"
                + " them in rounds this far apart (1 to 1000), so that the proxy's I/O threads do not wake it for"
                + " each line; after a round that found none, the next line wakes it at once")
        int roundMillis() default 10;

        @AttributeDefinition(name = "Ranking", description = "Order among the exchange hooks, highest called first;"
                + " the default -1000 comes after the others, so the log shows the request as they left it")
        int service_ranking() default -1000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogHook.class);

    /**
     * What the hook writes, and where: replaced as a whole on a change, read once per exchange. (A class, not a
     * record: a record's generated methods would import java.lang.runtime into the bundle for nothing.)
     */
    private static final class ActiveLog {
        final LogSettings settings;
        final RotatingFileWriter file;
        final LogWriter writer;

        ActiveLog(LogSettings settings, RotatingFileWriter file, LogWriter writer) {
            this.settings = settings;
            this.file = file;
            this.writer = writer;
        }
    }

    private final Path home;
    /** The log's name, from its configuration's name: in the writer thread's name and the log messages. */
    private final String name;
    private final ResponseContentTypes contentTypes = new ResponseContentTypes();
    private volatile ActiveLog active;
    private HookRegistration registration;

    @Activate
    public AccessLogHook(Config config, Map<String, Object> properties) {
        this(config, properties, LogSettings.home());
    }

    /** With the distribution folder of the test's choosing. */
    AccessLogHook(Config config, Map<String, Object> properties, Path home) {
        this.home = home;
        LogSettings settings;
        try {
            settings = LogSettings.parse(config, home);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": " + e.getMessage(), e);
        }
        this.name = logName(properties, settings.format);
        try {
            this.active = open(settings);
        } catch (IOException e) {
            throw new IllegalStateException(PID + " " + name + ": cannot open file " + settings.file + ": " + e, e);
        }
        LOG.info("Access log {}: {}", name, settings);
    }

    private ActiveLog open(LogSettings settings) throws IOException {
        RotatingFileWriter file = RotatingFileWriter.open(settings.file, settings.maxFileBytes, settings.maxFiles);
        return new ActiveLog(settings, file, LogWriter.start(name, settings.queueLines, settings.roundMillis, file));
    }

    @Activate
    void register(BundleContext context, Map<String, Object> properties) {
        Map<String, Object> identity = new HashMap<>();
        for (String key : new String[] {Constants.SERVICE_PID, COMPONENT_NAME}) {
            if (properties.get(key) != null) {
                identity.put(key, properties.get(key));
            }
        }
        registration = new HookRegistration(context, this, identity);
        registration.register(active.settings.ranking);
    }

    @Modified
    void modified(Config config) {
        ActiveLog now = active;
        LogSettings next;
        try {
            next = LogSettings.parse(config, home);
        } catch (IllegalArgumentException e) {
            LOG.error("{} {}: {}; keeping {}", PID, name, e.getMessage(), now.settings);
            return;
        }
        if (next.file.equals(now.settings.file)) {
            now.file.limits(next.maxFileBytes, next.maxFiles);
            now.writer.capacity(next.queueLines);
            now.writer.roundMillis(next.roundMillis);
            active = new ActiveLog(next, now.file, now.writer);
        } else {
            ActiveLog opened;
            try {
                opened = open(next);
            } catch (IOException e) {
                LOG.error("{} {}: cannot open file {}: {}; keeping {}", PID, name, next.file, e, now.settings);
                return;
            }
            active = opened;
            // new lines go to the new file; the old writer writes what it has and closes, passing on to the new one
            // what exchanges that read it just before the switch still offer
            now.writer.close(LogWriter.CLOSE_WAIT, opened.writer);
        }
        LOG.info("Access log {} now: {}", name, next);
        if (registration != null && registration.update(next.ranking)) {
            LOG.info("Access log {} registered again with service.ranking {}", name, next.ranking);
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        active.writer.close(LogWriter.CLOSE_WAIT);
    }

    @Override
    public List<HeaderEdit> onResponse(ClientRequest request, ResponseHead response) {
        if (active.settings.format.needsContentType()) {
            contentTypes.record(request, response.headers().get("Content-Type"));
        }
        return List.of();
    }

    @Override
    public void onEnd(ExchangeSummary summary) {
        ActiveLog log = active;
        LineFormat format = log.settings.format;
        String contentType = format.needsContentType() ? contentTypes.take(summary.request()) : null;
        log.writer.offer(format.line(summary, contentType));
    }

    /** Content types recorded and not yet taken (for tests). */
    int pendingContentTypes() {
        return contentTypes.size();
    }

    /**
     * The name after the factory PID: {@code combined} for {@code dev.ferry.accesslog~combined} (a named factory
     * configuration) or for FileInstall's {@code dev.ferry.accesslog-combined.cfg}; else the format.
     */
    static String logName(Map<String, Object> properties, LineFormat format) {
        Object pid = properties.get(Constants.SERVICE_PID);
        if (pid instanceof String && ((String) pid).startsWith(PID + "~")) {
            return ((String) pid).substring(PID.length() + 1);
        }
        Object file = properties.get(FILEINSTALL_FILENAME);
        if (file != null) {
            String path = file.toString();
            String base = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
            int dot = base.lastIndexOf('.');
            String stem = dot > 0 ? base.substring(0, dot) : base;
            if (stem.startsWith(PID + "-") && stem.length() > PID.length() + 1) {
                return stem.substring(PID.length() + 1);
            }
        }
        return format.setting();
    }

    @Override
    public String toString() {
        return PID + " " + name;
    }
}
