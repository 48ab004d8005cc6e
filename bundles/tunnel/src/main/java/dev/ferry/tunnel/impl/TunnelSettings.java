package dev.ferry.tunnel.impl;

import io.netty.channel.WriteBufferWaterMark;

/**
 * The limits one tunnel is relayed with, checked once. A tunnel takes the settings in force when it starts and keeps
 * them to its end; a changed configuration is a new instance for the tunnels that start after it.
 */
final class TunnelSettings {

    private final WriteBufferWaterMark waterMark;
    private final int idleTimeoutSeconds;

    private TunnelSettings(int maxBufferedBytes, int idleTimeoutSeconds) {
        this.waterMark = new WriteBufferWaterMark(maxBufferedBytes / 2, maxBufferedBytes);
        this.idleTimeoutSeconds = idleTimeoutSeconds;
    }

    /** @throws IllegalArgumentException naming the setting and its value */
    static TunnelSettings of(BackpressureTunnelRelay.Config config) {
        if (config.maxBufferedBytes() < 1024) {
            throw new IllegalArgumentException("maxBufferedBytes must be at least 1024, not "
                    + config.maxBufferedBytes());
        }
        if (config.idleTimeoutSeconds() < 0) {
            throw new IllegalArgumentException("idleTimeoutSeconds must be at least 0, not "
                    + config.idleTimeoutSeconds());
        }
        return new TunnelSettings(config.maxBufferedBytes(), config.idleTimeoutSeconds());
    }

    /** Pauses reading the other side above {@code maxBufferedBytes}, resumes below half of it. */
    WriteBufferWaterMark waterMark() {
        return waterMark;
    }

    /** 0: no idle timeout. */
    int idleTimeoutSeconds() {
        return idleTimeoutSeconds;
    }

    @Override
    public String toString() {
        return "maxBufferedBytes=" + waterMark.high() + ", idleTimeoutSeconds=" + idleTimeoutSeconds;
    }
}
