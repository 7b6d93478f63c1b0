package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorScopeSelector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One watcher's events on their way out: first its initial state, event by event, then the live
 * events that arrived since, in order. Sends only while the stream is ready and continues when it
 * becomes ready again, so what waits is held here, bounded, and not in the transport. Live events
 * wait in a queue of at most {@code maxBacklog}; one more ends the stream. The initial state is
 * sent by the watcher's own thread or the stream's ready callback, never by a thread publishing a
 * live event, so a Request never serializes someone's initial state.
 */
final class Watcher {
    private static final Logger log = LoggerFactory.getLogger(Watcher.class);

    final MonitorScopeSelector selector;
    private final EventStream stream;
    private final int maxBacklog;
    private final Consumer<Watcher> dropped;
    private final ArrayDeque<ConnectionEvent> backlog = new ArrayDeque<>();
    private Iterator<ConnectionEvent> initial = Collections.emptyIterator();
    private boolean started;
    private boolean ended;

    /** @param dropped run once when the watcher ends on its own (fell behind, stream broken) */
    Watcher(MonitorScopeSelector selector, EventStream stream, int maxBacklog, Consumer<Watcher> dropped) {
        this.selector = selector;
        this.stream = stream;
        this.maxBacklog = maxBacklog;
        this.dropped = dropped;
        stream.onReady(this::drain);
    }

    /** Starts sending the initial state: the connections in scope, {@code transferBytes} at most per event. */
    synchronized void start(List<Connection> inScope, int transferBytes) {
        initial = new InitialTransfer(inScope, transferBytes);
        started = true;
        drain();
    }

    /** Queues a live event; sends it at once when nothing is ahead of it and the stream is ready. */
    synchronized void offer(ConnectionEvent event) {
        if (ended) {
            return;
        }
        if (backlog.size() >= maxBacklog) {
            int behind = backlog.size() + 1;
            end();
            stream.fellBehind(behind, maxBacklog);
            return;
        }
        backlog.add(event);
        if (started && !initial.hasNext()) {
            drain();
        }
    }

    /** Live events waiting for the watcher. */
    synchronized int backlog() {
        return backlog.size();
    }

    /** The watcher went away: nothing more is sent and what waited is let go. */
    synchronized void cancel() {
        ended = true;
        backlog.clear();
        initial = Collections.emptyIterator();
    }

    private synchronized void drain() {
        try {
            while (!ended && started && stream.isReady()) {
                ConnectionEvent next = initial.hasNext() ? initial.next() : backlog.poll();
                if (next == null) {
                    return;
                }
                stream.send(next);
            }
        } catch (RuntimeException e) {
            end();
            log.info("event=monitor-subscriber-dropped reason=\"{}\"", e.getMessage());
        }
    }

    private void end() {
        cancel();
        dropped.accept(this);
    }
}
