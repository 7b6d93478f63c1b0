package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ensm.core.endpoint.monitor.ScopeFilterTest.connection;
import static io.ensm.core.endpoint.monitor.ScopeFilterTest.seg;
import static org.assertj.core.api.Assertions.assertThat;

class MonitorConnectionServiceTest {
    private final Connection mine = connection("svc", seg("nsc", "n1"), seg("ensm", "e1"));
    private final Connection other = connection("other", seg("nsc", "n2"), seg("ensm", "e2"));
    private final ConnectionMonitor monitor = new ConnectionMonitor(() -> List.of(mine, other));
    private final String name = InProcessServerBuilder.generateName();
    private final Server server;
    private final ManagedChannel channel;

    MonitorConnectionServiceTest() throws Exception {
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new MonitorConnectionService(monitor)).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void streamsInitialStateThenUpdatesAndUnsubscribesOnCancel() throws Exception {
        BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
        AtomicReference<ClientCallStreamObserver<MonitorScopeSelector>> call = new AtomicReference<>();
        MonitorConnectionGrpc.newStub(channel).monitorConnections(
                MonitorScopeSelector.newBuilder().addNetworkServices("svc").build(),
                new ClientResponseObserver<MonitorScopeSelector, ConnectionEvent>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<MonitorScopeSelector> stream) {
                        call.set(stream);
                    }

                    @Override
                    public void onNext(ConnectionEvent event) {
                        events.add(event);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });

        ConnectionEvent initial = events.poll(10, TimeUnit.SECONDS);
        assertThat(initial).isNotNull();
        assertThat(initial.getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
        assertThat(initial.getConnectionsMap()).containsOnlyKeys("e1");
        assertThat(monitor.subscribers()).isEqualTo(1);

        monitor.updated(other);
        monitor.updated(mine);
        ConnectionEvent update = events.poll(10, TimeUnit.SECONDS);
        assertThat(update).isNotNull();
        assertThat(update.getType()).isEqualTo(ConnectionEventType.UPDATE);
        assertThat(update.getConnectionsMap()).containsOnlyKeys("e1");

        call.get().cancel("done", null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (monitor.subscribers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(monitor.subscribers()).isZero();
    }
}
