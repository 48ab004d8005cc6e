package dev.ferry.spdy.client.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session's streams: open ones by id, queued ones in order, the next id, and the ids of the last streams the
 * proxy finished (so that a frame on them is recognised as a frame after FIN). Event loop only.
 */
final class Streams {

    /** How many finished stream ids are remembered. */
    private static final int REMEMBERED = 4096;

    private final Map<Integer, ClientStream> open = new HashMap<>();
    private final ArrayDeque<ClientStream> queued = new ArrayDeque<>();
    private final Map<Integer, Boolean> finishedByPeer = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private int nextId = 1;

    /** Takes the next odd stream id. */
    int takeId() {
        if (nextId <= 0) {
            throw new IllegalStateException("stream ids are used up (2^31); open a new session");
        }
        int id = nextId;
        nextId += 2;
        return id;
    }

    /** True for an id this client has given out (to a stream or by reservation). */
    boolean givenOut(int id) {
        return (id & 1) == 1 && id > 0 && (nextId <= 0 || id < nextId);
    }

    ClientStream get(int id) {
        return open.get(id);
    }

    void add(ClientStream stream) {
        open.put(stream.id(), stream);
    }

    /** Forgets an open stream; {@code peerFinished} when it ended with the proxy's FIN (not a reset). */
    void remove(ClientStream stream, boolean peerFinished) {
        if (open.remove(stream.id(), stream) && peerFinished) {
            finishedByPeer.put(stream.id(), Boolean.TRUE);
        }
    }

    boolean finishedByPeer(int id) {
        return finishedByPeer.containsKey(id);
    }

    int openCount() {
        return open.size();
    }

    List<ClientStream> openStreams() {
        return new ArrayList<>(open.values());
    }

    void enqueue(ClientStream stream) {
        queued.add(stream);
    }

    ClientStream pollQueued() {
        return queued.poll();
    }

    boolean dequeue(ClientStream stream) {
        return queued.remove(stream);
    }

    boolean hasQueued() {
        return !queued.isEmpty();
    }

    int queuedCount() {
        return queued.size();
    }
}
