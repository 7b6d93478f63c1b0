package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorScopeSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fans connection events out to subscribers. A new subscriber first gets an
 * INITIAL_STATE_TRANSFER of every connection in its scope, then UPDATE and DELETE events. A
 * subscriber whose sink throws is dropped, so one broken stream never blocks the others.
 */
public final class ConnectionMonitor {
    private static final Logger log = LoggerFactory.getLogger(ConnectionMonitor.class);

    private final Supplier<Collection<Connection>> snapshot;
    private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    /** @param snapshot the current connections, as monitor subscribers see them */
    public ConnectionMonitor(Supplier<Collection<Connection>> snapshot) {
        this.snapshot = snapshot;
    }

    /** Registers a subscriber and sends its initial state; returns a handle that unsubscribes. */
    public Runnable subscribe(MonitorScopeSelector selector, Consumer<ConnectionEvent> sink) {
        Subscriber s = new Subscriber(selector, sink);
        synchronized (s) {
            // Added before the snapshot is taken and sent under the subscriber's lock: an event
            // racing the snapshot waits and arrives after it, never before.
            subscribers.add(s);
            ConnectionEvent.Builder initial = ConnectionEvent.newBuilder().setType(ConnectionEventType.INITIAL_STATE_TRANSFER);
            for (Connection c : snapshot.get()) {
                if (ScopeFilter.matches(selector, c)) {
                    initial.putConnections(c.getId(), c);
                }
            }
            deliver(s, initial.build());
        }
        return () -> subscribers.remove(s);
    }

    public void updated(Connection connection) {
        publish(ConnectionEventType.UPDATE, connection);
    }

    public void deleted(Connection connection) {
        publish(ConnectionEventType.DELETE, connection);
    }

    public int subscribers() {
        return subscribers.size();
    }

    private void publish(ConnectionEventType type, Connection connection) {
        ConnectionEvent event = null;
        for (Subscriber s : subscribers) {
            if (ScopeFilter.matches(s.selector, connection)) {
                if (event == null) {
                    event = ConnectionEvent.newBuilder().setType(type).putConnections(connection.getId(), connection).build();
                }
                synchronized (s) {
                    deliver(s, event);
                }
            }
        }
    }

    private void deliver(Subscriber s, ConnectionEvent event) {
        try {
            s.sink.accept(event);
        } catch (RuntimeException e) {
            subscribers.remove(s);
            log.info("event=monitor-subscriber-dropped reason=\"{}\"", e.getMessage());
        }
    }

    private record Subscriber(MonitorScopeSelector selector, Consumer<ConnectionEvent> sink) {}
}
