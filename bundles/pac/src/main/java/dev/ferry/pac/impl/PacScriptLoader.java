package dev.ferry.pac.impl;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the current PAC script: loads it once at start, then checks its source every {@code reloadSeconds} (0:
 * never) on a timer thread of its own. A new text that loads replaces the script for the next call; a source that
 * cannot be read or a script that does not load leaves the previous script in place.
 *
 * <p>The source, the load time limit and the period can change while the script answers ({@link #reconfigure}).
 * A new source is checked at once on the timer thread, so the caller never waits for a fetch; until a script from it
 * has loaded, the script in use goes on answering. After start, checks run on the timer thread only, one at a time,
 * so a source is never read by two threads.
 */
final class PacScriptLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PacScriptLoader.class);

    private final PacRuntime runtime;
    private final ScheduledExecutorService timer;
    private volatile PacSource source;
    private volatile int timeoutMillis;
    private volatile PacScript current;
    private volatile String lastProblem = "not loaded yet";
    /** The periodic check, or null when reloadSeconds is 0; guarded by this. */
    private ScheduledFuture<?> reloads;
    private int reloadSeconds;

    PacScriptLoader(PacSource source, PacRuntime runtime, int timeoutMillis, int reloadSeconds) {
        this.source = source;
        this.runtime = runtime;
        this.timeoutMillis = timeoutMillis;
        check();
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ferry-pac-reload");
            thread.setDaemon(true);
            return thread;
        });
        synchronized (this) {
            scheduleReloads(reloadSeconds);
        }
    }

    /**
     * Applies changed settings.
     *
     * @param newSource where the script comes from now, checked at once; null when it did not change
     */
    synchronized void reconfigure(PacSource newSource, int timeoutMillis, int reloadSeconds) {
        this.timeoutMillis = timeoutMillis;
        if (reloadSeconds != this.reloadSeconds) {
            if (reloads != null) {
                reloads.cancel(false);
            }
            scheduleReloads(reloadSeconds);
        }
        if (newSource != null) {
            source = newSource;
            timer.execute(this::check);
        }
    }

    private void scheduleReloads(int seconds) {
        reloadSeconds = seconds;
        reloads = seconds > 0 ? timer.scheduleWithFixedDelay(this::check, seconds, seconds, TimeUnit.SECONDS) : null;
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
    private void check() {
        PacSource from = source;
        PacScript before = current;
        try {
            String text = from.readIfChanged();
            if (text == null) {
                return;
            }
            PacScript loaded = PacScript.load(runtime, from.location(), text, timeoutMillis);
            current = loaded;
            lastProblem = null;
            boolean reload = before != null && before.location().equals(from.location());
            LOG.info("{} PAC script {} ({} characters)", reload ? "Reloaded" : "Loaded", from.location(),
                    text.length());
        } catch (IOException | PacScriptException | RuntimeException e) {
            lastProblem = e.getMessage();
            if (before == null) {
                LOG.warn("No PAC script in use: {}; every URL gets the onError policy until one loads",
                        e.getMessage(), e instanceof RuntimeException ? e : null);
            } else if (before.location().equals(from.location())) {
                LOG.warn("{}; keeping the PAC script loaded before", e.getMessage(),
                        e instanceof RuntimeException ? e : null);
            } else {
                LOG.warn("{}; the PAC script from {} answers until one from {} loads", e.getMessage(),
                        before.location(), from.location(), e instanceof RuntimeException ? e : null);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
