package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.core.authz.Refusal;
import io.ensm.core.authz.RefusalListener;
import io.ensm.core.chain.Caller;
import io.ensm.core.server.CallContexts;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code connection.MonitorConnection}: one long-lived event stream per subscriber, after the
 * {@code service_connection} policy allowed the caller to watch the scope it asked for.
 */
public final class MonitorConnectionService extends MonitorConnectionGrpc.MonitorConnectionImplBase {
    private static final Logger log = LoggerFactory.getLogger(MonitorConnectionService.class);

    private final ConnectionMonitor monitor;
    private final MonitorAuthorization authorization;
    private final RefusalListener refusals;

    public MonitorConnectionService(ConnectionMonitor monitor, MonitorAuthorization authorization, RefusalListener refusals) {
        this.monitor = monitor;
        this.authorization = authorization;
        this.refusals = refusals;
    }

    public MonitorConnectionService(ConnectionMonitor monitor) {
        this(monitor, MonitorAuthorization.off(), RefusalListener.NONE);
    }

    @Override
    public void monitorConnections(MonitorScopeSelector selector, StreamObserver<ConnectionEvent> observer) {
        Optional<Caller> caller = CallContexts.caller();
        Optional<Refusal> refusal = authorization.check(caller, selector);
        if (refusal.isPresent()) {
            refusals.refused(refusal.get().policy());
            log.warn("event=call-refused method=connection.MonitorConnection/MonitorConnections caller={} policy={} reason=\"{}\"",
                    caller.map(Caller::spiffeId).orElse("unknown"), refusal.get().policy().policyName(), refusal.get().reason());
            observer.onError(refusal.get().toStatus());
            return;
        }
        ServerCallStreamObserver<ConnectionEvent> stream = (ServerCallStreamObserver<ConnectionEvent>) observer;
        AtomicReference<Runnable> unsubscribe = new AtomicReference<>(() -> {});
        // The cancel handler must be set before anything is sent.
        stream.setOnCancelHandler(() -> unsubscribe.get().run());
        unsubscribe.set(monitor.subscribe(selector, new GrpcEventStream(stream, caller.map(Caller::spiffeId).orElse("unknown"))));
        if (stream.isCancelled()) {
            unsubscribe.get().run();
        }
    }

    /** A watcher's gRPC stream, sent to only while gRPC's flow control says it takes more. */
    private record GrpcEventStream(ServerCallStreamObserver<ConnectionEvent> stream, String caller) implements EventStream {
        @Override
        public boolean isReady() {
            return stream.isReady();
        }

        @Override
        public void send(ConnectionEvent event) {
            if (stream.isCancelled()) {
                throw new IllegalStateException("subscriber went away");
            }
            stream.onNext(event);
        }

        @Override
        public void onReady(Runnable ready) {
            stream.setOnReadyHandler(ready);
        }

        @Override
        public void fellBehind(int behind, int limit) {
            log.warn("event=monitor-watcher-ended caller={} behind={} limit={} reason=\"the watcher does not read its events fast enough\"",
                    caller, behind, limit);
            stream.onError(Status.RESOURCE_EXHAUSTED.withDescription("watcher fell behind by " + behind + " events; at most " + limit
                    + " may wait; watch again to get the current state").asRuntimeException());
        }
    }
}
