package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.atomic.AtomicReference;

/** {@code connection.MonitorConnection}: one long-lived event stream per subscriber. */
public final class MonitorConnectionService extends MonitorConnectionGrpc.MonitorConnectionImplBase {
    private final ConnectionMonitor monitor;

    public MonitorConnectionService(ConnectionMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public void monitorConnections(MonitorScopeSelector selector, StreamObserver<ConnectionEvent> observer) {
        ServerCallStreamObserver<ConnectionEvent> stream = (ServerCallStreamObserver<ConnectionEvent>) observer;
        AtomicReference<Runnable> unsubscribe = new AtomicReference<>(() -> {});
        // The cancel handler must be set before anything is sent.
        stream.setOnCancelHandler(() -> unsubscribe.get().run());
        unsubscribe.set(monitor.subscribe(selector, event -> {
            if (stream.isCancelled()) {
                throw new IllegalStateException("subscriber went away");
            }
            stream.onNext(event);
        }));
        if (stream.isCancelled()) {
            unsubscribe.get().run();
        }
    }
}
