package dev.ferry.pac.impl;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the current PAC script: loads it once at start, then checks its source every {@code reloadSeconds} (0:
 * never) on a timer thread of its own. A new text that loads replaces the script for the next call; a source that
 * cannot be read or a script that does not load leaves the previous script in place.
 */
final class PacScriptLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PacScriptLoader.class);

    private final PacSource source;
    private final PacRuntime runtime;
    private final int timeoutMillis;
    private final ScheduledExecutorService timer;
    private volatile PacScript current;
    private volatile String lastProblem = "not loaded yet";

    PacScriptLoader(PacSource source, PacRuntime runtime, int timeoutMillis, int reloadSeconds) {
        this.source = source;
        this.runtime = runtime;
        this.timeoutMillis = timeoutMillis;
        check();
        if (reloadSeconds > 0) {
            timer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "ferry-pac-reload");
                thread.setDaemon(true);
                return thread;
            });
            timer.scheduleWithFixedDelay(this::check, reloadSeconds, reloadSeconds, TimeUnit.SECONDS);
        } else {
            timer = null;
        }
    }

    /** The script in use, or null when none has loaded yet. */
    PacScript current() {
        return current;
    }

    /** Why the last load or reload failed, or null when the last one that changed anything succeeded. */
    String lastProblem() {
        return lastProblem;
    }

    String location() {
        return source.location();
    }

    /** One check of the source; never throws, so the timer keeps running. */
    synchronized void check() {
        try {
            String text = source.readIfChanged();
            if (text == null) {
                return;
            }
            PacScript loaded = PacScript.load(runtime, source.location(), text, timeoutMillis);
            boolean first = current == null;
            current = loaded;
            lastProblem = null;
            LOG.info("{} PAC script {} ({} characters)", first ? "Loaded" : "Reloaded", source.location(),
                    text.length());
        } catch (IOException | PacScriptException | RuntimeException e) {
            lastProblem = e.getMessage();
            if (current == null) {
                LOG.warn("No PAC script in use: {}; every URL gets the onError policy until one loads",
                        e.getMessage(), e instanceof RuntimeException ? e : null);
            } else {
                LOG.warn("{}; keeping the PAC script loaded before", e.getMessage(),
                        e instanceof RuntimeException ? e : null);
            }
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
