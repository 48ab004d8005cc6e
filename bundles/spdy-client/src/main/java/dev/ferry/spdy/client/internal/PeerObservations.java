package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.GoAway;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the session has seen the proxy do, kept for application threads (and tests of the proxy) to read: its
 * SETTINGS, its GOAWAY, the RST_STREAMs it sent, and what it did against SPDY/3.1. Written on the event loop only;
 * hence the concurrent collections and the volatile, and the futures complete on client threads ({@link Completions}).
 */
final class PeerObservations {

    private final Completions completions;
    private final Map<Integer, Integer> settings = new ConcurrentHashMap<>();
    private final CompletableFuture<Map<Integer, Integer>> firstSettings = new CompletableFuture<>();
    private final CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    private volatile GoAway goAwayReceived;
    private final Map<Integer, CompletableFuture<Integer>> resets = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    PeerObservations(Completions completions) {
        this.completions = completions;
    }

    // ---- written on the event loop

    void setting(int id, int value) {
        settings.put(id, value);
    }

    /** A SETTINGS frame has been read in full: the first one completes {@link #firstSettings()}. */
    void settingsFrameRead() {
        completions.complete(firstSettings, Map.copyOf(settings));
    }

    void goAwayReceived(GoAway received) {
        goAwayReceived = received;
        completions.complete(goAway, received);
    }

    void resetReceived(int streamId, int status) {
        completions.complete(resetFuture(streamId), status);
    }

    void violation(String problem) {
        violations.add(problem);
    }

    // ---- read by application threads (and, for the GOAWAY, by the event loop)

    Map<Integer, Integer> settings() {
        return Map.copyOf(settings);
    }

    CompletableFuture<Map<Integer, Integer>> firstSettings() {
        return firstSettings;
    }

    /** The proxy's last GOAWAY, or null. */
    GoAway goAwayReceived() {
        return goAwayReceived;
    }

    CompletableFuture<GoAway> goAway() {
        return goAway;
    }

    /** Completes with the status of the proxy's RST_STREAM for the stream; asking before it arrives is fine. */
    CompletableFuture<Integer> resetFuture(int streamId) {
        return resets.computeIfAbsent(streamId, id -> new CompletableFuture<>());
    }

    List<String> violations() {
        return List.copyOf(violations);
    }
}
