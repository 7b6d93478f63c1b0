package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The connections in a scope, now: the INITIAL_STATE_TRANSFER events of one MonitorConnections
 * stream, merged. NSM's monitor never says that the initial state is complete (a large state comes
 * as several events, back to back), so the transfer is taken as ended by the first live event, the
 * end of the stream, or {@code settle} without a further event.
 */
final class MonitorSnapshot {

    private sealed interface Item {}

    private record Event(ConnectionEvent event) implements Item {}

    private record Ended(Status status) implements Item {}

    private MonitorSnapshot() {
    }

    /**
     * @param deadline how long the first event may take (the command's timeout)
     * @param settle   how long to wait for another initial-state event after one arrived
     * @return the connections by id, sorted
     */
    static Map<String, Connection> take(ManagedChannel channel, MonitorScopeSelector selector, Duration deadline, Duration settle) {
        BlockingQueue<Item> items = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
        MonitorConnectionGrpc.newStub(channel).monitorConnections(selector, new ClientResponseObserver<MonitorScopeSelector, ConnectionEvent>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<MonitorScopeSelector> requestStream) {
                call[0] = requestStream;
            }

            @Override
            public void onNext(ConnectionEvent event) {
                items.add(new Event(event));
            }

            @Override
            public void onError(Throwable t) {
                items.add(new Ended(Status.fromThrowable(t)));
            }

            @Override
            public void onCompleted() {
                items.add(new Ended(Status.OK));
            }
        });
        try {
            return collect(items, deadline, settle);
        } finally {
            call[0].cancel("snapshot taken", null);
        }
    }

    private static Map<String, Connection> collect(BlockingQueue<Item> items, Duration deadline, Duration settle) {
        Map<String, Connection> connections = new TreeMap<>();
        boolean started = false;
        while (true) {
            Item item = poll(items, started ? settle : deadline);
            switch (item) {
                case null -> {
                    if (started) {
                        return connections;
                    }
                    throw Status.DEADLINE_EXCEEDED.withDescription("no initial state from the monitor within " + deadline)
                            .asRuntimeException();
                }
                case Ended(Status status) when status.isOk() -> {
                    return connections;
                }
                case Ended(Status status) -> throw status.asRuntimeException();
                case Event(ConnectionEvent event) when event.getType() == ConnectionEventType.INITIAL_STATE_TRANSFER -> {
                    started = true;
                    connections.putAll(event.getConnectionsMap());
                }
                case Event e -> {
                    // a live event: the initial state was complete before it
                    return connections;
                }
            }
        }
    }

    private static Item poll(BlockingQueue<Item> items, Duration wait) {
        try {
            return items.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        }
    }
}
