package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import com.google.protobuf.MessageLite;
import io.ensm.core.testing.ConnectionsWithTokens;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MonitorConnections over real TCP with gRPC's default limits, at a scale where every connection
 * together is many times the 4 MiB a client accepts in one message.
 */
class MonitorAtScaleTest {
    private static final int CONNECTIONS = 20_000;

    private final List<Connection> live = ConnectionsWithTokens.of(CONNECTIONS);
    private final ConnectionMonitor monitor = new ConnectionMonitor(() -> live);
    private final AtomicLong messagesToTransport = new AtomicLong();
    private final AtomicLong bytesToTransport = new AtomicLong();
    private final Server server;
    private final ManagedChannel channel;

    MonitorAtScaleTest() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new MonitorConnectionService(monitor), new CountSent()))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void watcherWithDefaultLimitsGetsTheWholeInitialStateInSeveralTransfers() {
        long total = ConnectionEvent.newBuilder().putAllConnections(byId(live)).build().getSerializedSize();
        assertThat(total).as("the test's initial state is far over gRPC's 4 MiB default").isGreaterThan(8L << 20);

        Iterator<ConnectionEvent> events = MonitorConnectionGrpc.newBlockingStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS).monitorConnections(MonitorScopeSelector.getDefaultInstance());
        Set<String> seen = new HashSet<>();
        int transfers = 0;
        while (seen.size() < CONNECTIONS) {
            ConnectionEvent e = events.next();
            assertThat(e.getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
            assertThat(e.getSerializedSize()).isLessThanOrEqualTo(ConnectionMonitor.INITIAL_TRANSFER_BYTES);
            assertThat(e.getConnectionsMap().keySet()).as("no connection twice").noneMatch(seen::contains);
            seen.addAll(e.getConnectionsMap().keySet());
            transfers++;
        }
        assertThat(transfers).isGreaterThan(1);

        // Live events come after the whole initial state.
        monitor.updated(live.getFirst());
        ConnectionEvent update = events.next();
        assertThat(update.getType()).isEqualTo(ConnectionEventType.UPDATE);
        assertThat(update.getConnectionsMap()).containsOnlyKeys("ensm-0");
    }

    @Test
    void watcherThatDoesNotReadIsEndedOnceItFallsBehindAndTheServerBuffersABoundedAmount() throws Exception {
        CompletableFuture<Status> ended = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<MonitorScopeSelector>> call = new AtomicReference<>();
        MonitorConnectionGrpc.newStub(channel).monitorConnections(MonitorScopeSelector.getDefaultInstance(),
                new ClientResponseObserver<MonitorScopeSelector, ConnectionEvent>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<MonitorScopeSelector> stream) {
                        // Manual flow control: the watcher asks for nothing, so it reads nothing.
                        stream.disableAutoRequestWithInitial(0);
                        call.set(stream);
                    }

                    @Override
                    public void onNext(ConnectionEvent event) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        awaitSubscribers(1);
        // The initial state goes out first; on a loaded host the burst below could otherwise
        // overflow the backlog before the first chunk was handed to gRPC.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bytesToTransport.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        int published = ConnectionMonitor.MAX_BACKLOG + 100;
        for (int i = 0; i < published; i++) {
            monitor.updated(live.get(i % CONNECTIONS));
        }

        awaitSubscribers(0);
        assertThat(monitor.backlogHighWater()).as("events queued for the watcher at most")
                .isLessThanOrEqualTo(ConnectionMonitor.MAX_BACKLOG);
        assertThat(bytesToTransport.get()).as("bytes handed to gRPC for a watcher that read nothing (%d messages)",
                messagesToTransport.get()).isBetween(1L, 3L * ConnectionMonitor.INITIAL_TRANSFER_BYTES);

        // Once it reads, it gets what was sent and then the reason its stream ended.
        call.get().request(Integer.MAX_VALUE);
        Status status = ended.get(30, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).contains("watcher fell behind by " + (ConnectionMonitor.MAX_BACKLOG + 1) + " events");
    }

    private void awaitSubscribers(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (monitor.subscribers() != n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(monitor.subscribers()).as("watchers subscribed").isEqualTo(n);
    }

    private static Map<String, Connection> byId(List<Connection> connections) {
        Map<String, Connection> m = new HashMap<>();
        connections.forEach(c -> m.put(c.getId(), c));
        return m;
    }

    /** Counts what the service hands to the transport: the buffer a watcher that reads nothing fills. */
    private final class CountSent implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public void sendMessage(A message) {
                    messagesToTransport.incrementAndGet();
                    bytesToTransport.addAndGet(((MessageLite) message).getSerializedSize());
                    super.sendMessage(message);
                }
            }, headers);
        }
    }
}
