package dev.ferry.pac.impl;

import java.util.Objects;

/**
 * The PAC resolver's configuration, checked once and never changed: a changed configuration is a new instance that
 * replaces the old one in one step, so each resolution reads one consistent set of values.
 */
final class PacSettings {

    private final String url;
    private final int reloadSeconds;
    private final int timeoutMillis;
    private final int dnsTimeoutMillis;
    private final int dnsThreads;
    private final int fetchTimeoutMillis;
    private final OnErrorPolicy onError;
    private final int maxScriptBytes;

    private PacSettings(PacProxyResolver.Config config) {
        this.url = config.url();
        this.reloadSeconds = requireAtLeast("reloadSeconds", config.reloadSeconds(), 0);
        this.timeoutMillis = requireAtLeast("timeoutMillis", config.timeoutMillis(), 1);
        this.dnsTimeoutMillis = requireAtLeast("dnsTimeoutMillis", config.dnsTimeoutMillis(), 1);
        this.dnsThreads = requireAtLeast("dnsThreads", config.dnsThreads(), 1);
        this.fetchTimeoutMillis = requireAtLeast("fetchTimeoutMillis", config.fetchTimeoutMillis(), 1);
        this.maxScriptBytes = requireAtLeast("maxScriptBytes", config.maxScriptBytes(), 1);
        this.onError = OnErrorPolicy.parse(config.onError());
    }

    /**
     * Checks every number and {@code onError}; {@code url} is checked by {@link #newSource()}.
     *
     * @throws IllegalArgumentException naming the setting, its value and the bound it breaks
     */
    static PacSettings of(PacProxyResolver.Config config) {
        return new PacSettings(config);
    }

    private static int requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    /**
     * Where the script comes from, with these size and time limits.
     *
     * @throws IllegalArgumentException when {@code url} is no file path, file: URL or http(s) URL
     */
    PacSource newSource() {
        return PacSource.of(url, maxScriptBytes, fetchTimeoutMillis);
    }

    /** Whether {@code other} reads the script from the same place with the same limits. */
    boolean sameSourceAs(PacSettings other) {
        return Objects.equals(url, other.url) && maxScriptBytes == other.maxScriptBytes
                && fetchTimeoutMillis == other.fetchTimeoutMillis;
    }

    int reloadSeconds() {
        return reloadSeconds;
    }

    int timeoutMillis() {
        return timeoutMillis;
    }

    int dnsTimeoutMillis() {
        return dnsTimeoutMillis;
    }

    int dnsThreads() {
        return dnsThreads;
    }

    OnErrorPolicy onError() {
        return onError;
    }

    /** Everything but the URL, which may carry credentials: the log names the script by its source's location. */
    @Override
    public String toString() {
        return "reloadSeconds=" + reloadSeconds + ", timeoutMillis=" + timeoutMillis + ", dnsTimeoutMillis="
                + dnsTimeoutMillis + ", dnsThreads=" + dnsThreads + ", fetchTimeoutMillis=" + fetchTimeoutMillis
                + ", onError=" + onError + ", maxScriptBytes=" + maxScriptBytes;
    }
}
