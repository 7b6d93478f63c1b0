package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.ConnectionEvent;

import java.util.function.Consumer;

/**
 * Where one watcher's events go, as far as the monitor needs to know: whether the receiver takes
 * more now (flow control), how to be told when it does again, and how to end the stream of a
 * watcher that fell too far behind.
 */
public interface EventStream {
    /** Whether an event sent now goes out instead of piling up in the transport. */
    boolean isReady();

    /** Sends one event; a RuntimeException means the stream is broken and the watcher is dropped. */
    void send(ConnectionEvent event);

    /** Registers what to run each time the stream becomes ready again. */
    void onReady(Runnable ready);

    /**
     * Ends the stream: {@code behind} events were waiting for the watcher, more than the
     * {@code limit} the monitor keeps. Nothing is sent after this.
     */
    void fellBehind(int behind, int limit);

    /** An in-process receiver that always takes the event at once, such as a test's list. */
    static EventStream of(Consumer<ConnectionEvent> sink) {
        return new EventStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void send(ConnectionEvent event) {
                sink.accept(event);
            }

            @Override
            public void onReady(Runnable ready) {
            }

            @Override
            public void fellBehind(int behind, int limit) {
            }
        };
    }
}
