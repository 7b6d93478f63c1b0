package io.ensm.app.e2e;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal NSC over the project's generated stubs: one channel to ensm. */
final class Nsc implements AutoCloseable {
    static final String NAME = "nsc-e2e";

    final ManagedChannel channel;

    Nsc(String target) {
        channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    }

    NetworkServiceGrpc.NetworkServiceBlockingStub ns() {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static Mechanism vlan() {
        return Mechanism.newBuilder().setCls("REMOTE").setType("VLAN").build();
    }

    /** A first Request as an NSC sends it: its own segment at index 0, expiring at {@code expires}. */
    static NetworkServiceRequest request(String service, Instant expires) {
        String id = UUID.randomUUID().toString();
        Connection c = Connection.newBuilder()
                .setId(id)
                .setNetworkService(service)
                .setPath(Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder()
                        .setName(NAME).setId(id).setExpires(ts(expires))))
                .build();
        return NetworkServiceRequest.newBuilder().setConnection(c).addMechanismPreferences(vlan()).build();
    }

    /** A refresh: the connection ensm returned, with the caller's segment expiry moved on. */
    static NetworkServiceRequest refresh(Connection reply, Instant expires) {
        Path p = reply.getPath();
        Path moved = p.toBuilder().setPathSegments(0, p.getPathSegments(0).toBuilder().setExpires(ts(expires))).build();
        return NetworkServiceRequest.newBuilder().setConnection(reply.toBuilder().setPath(moved))
                .addMechanismPreferences(vlan()).build();
    }

    /** ensm's own id for a reply: the id of the segment after the caller's. */
    static String ensmId(Connection reply) {
        return reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    /** An open MonitorConnections stream collecting events. */
    Monitor monitor() {
        return new Monitor();
    }

    final class Monitor implements AutoCloseable {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final Context.CancellableContext context = Context.current().withCancellation();

        Monitor() {
            context.run(() -> MonitorConnectionGrpc.newStub(channel).monitorConnections(MonitorScopeSelector.getDefaultInstance(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(ConnectionEvent value) {
                            events.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            events.add(t);
                        }

                        @Override
                        public void onCompleted() {
                            events.add("completed");
                        }
                    }));
        }

        /** The next event, failing on a stream error or after the timeout. */
        ConnectionEvent next(Duration timeout) throws InterruptedException {
            Object o = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (o instanceof ConnectionEvent e) {
                return e;
            }
            throw new AssertionError("no monitor event within " + timeout + ": " + o, o instanceof Throwable t ? t : null);
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
