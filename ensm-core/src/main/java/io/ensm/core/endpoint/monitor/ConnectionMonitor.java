package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorScopeSelector;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fans connection events out to subscribers. A new subscriber first gets every connection in its
 * scope as one or more INITIAL_STATE_TRANSFER events (clients merge them, as NSM's do), then
 * UPDATE and DELETE events. Each subscriber is served at its own pace with a bounded queue: one
 * that falls too far behind, or whose stream breaks, is dropped, so it never blocks the others
 * nor grows the heap.
 */
public final class ConnectionMonitor {
    /**
     * Most serialized bytes in one INITIAL_STATE_TRANSFER event. gRPC clients (Java and Go, so
     * NSM's too) refuse a message over 4 MiB unless told otherwise; a quarter of that stays far
     * from the limit, still carries hundreds of connections with their path tokens per event, and
     * bounds what one watcher's transfer puts in the transport at once.
     */
    static final int INITIAL_TRANSFER_BYTES = 1 << 20;
    /**
     * Most live events that may wait for one watcher. Each carries one connection (a few KiB with
     * tokens, shared by every watcher it goes to), so a full queue is about 10 MiB at worst. ensm
     * publishes one event per Request or Close, which a watcher reading at network speed never
     * lags by thousands; one that does sees a stale view and is better off watching again.
     */
    static final int MAX_BACKLOG = 4096;

    private final Supplier<Collection<Connection>> snapshot;
    private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final AtomicInteger backlogHighWater = new AtomicInteger();

    /** @param snapshot the current connections, as monitor subscribers see them */
    public ConnectionMonitor(Supplier<Collection<Connection>> snapshot) {
        this.snapshot = snapshot;
    }

    /** Registers a subscriber and starts its initial state; returns a handle that unsubscribes. */
    public Runnable subscribe(MonitorScopeSelector selector, EventStream stream) {
        Watcher w = new Watcher(selector, stream, MAX_BACKLOG, watchers::remove);
        Runnable unsubscribe = () -> {
            watchers.remove(w);
            w.cancel();
        };
        // Added before the snapshot is taken: an event racing the snapshot waits in the queue and
        // goes out after the initial state, never before (at worst the watcher sees it twice).
        watchers.add(w);
        try {
            List<Connection> inScope = snapshot.get().stream().filter(c -> ScopeFilter.matches(selector, c)).toList();
            w.start(inScope, INITIAL_TRANSFER_BYTES);
        } catch (RuntimeException e) {
            unsubscribe.run();
            throw e;
        }
        return unsubscribe;
    }

    /** A subscriber that takes every event at once, in the caller's thread. */
    public Runnable subscribe(MonitorScopeSelector selector, Consumer<ConnectionEvent> sink) {
        return subscribe(selector, EventStream.of(sink));
    }

    public void updated(Connection connection) {
        publish(ConnectionEventType.UPDATE, connection);
    }

    public void deleted(Connection connection) {
        publish(ConnectionEventType.DELETE, connection);
    }

    public int subscribers() {
        return watchers.size();
    }

    /** The most live events that ever waited for one subscriber. */
    public int backlogHighWater() {
        return backlogHighWater.get();
    }

    private void publish(ConnectionEventType type, Connection connection) {
        ConnectionEvent event = null;
        for (Watcher w : watchers) {
            if (ScopeFilter.matches(w.selector, connection)) {
                if (event == null) {
                    event = ConnectionEvent.newBuilder().setType(type).putConnections(connection.getId(), connection).build();
                }
                w.offer(event);
                backlogHighWater.accumulateAndGet(w.backlog(), Math::max);
            }
        }
    }
}
