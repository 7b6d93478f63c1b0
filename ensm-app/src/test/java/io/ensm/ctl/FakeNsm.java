package io.ensm.ctl;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connection.State;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.Route;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceEndpointResponse;
import io.ensm.api.registry.NetworkServiceQuery;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.ensm.api.registry.NetworkServiceResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real TCP gRPC server on 127.0.0.1 with fake NSM services: each records what it received
 * and answers with canned replies.
 */
final class FakeNsm implements AutoCloseable {

    static final String NSE_NAME = "nse-fake";
    static final String NSE_SEGMENT_ID = "nse-segment-1";

    final List<NetworkServiceRequest> requests = new CopyOnWriteArrayList<>();
    final List<Connection> closes = new CopyOnWriteArrayList<>();
    final List<MonitorScopeSelector> selectors = new CopyOnWriteArrayList<>();
    final List<NetworkServiceEndpointQuery> nseQueries = new CopyOnWriteArrayList<>();
    final List<NetworkServiceQuery> nsQueries = new CopyOnWriteArrayList<>();

    /** Canned stream contents; each stream ends after them. */
    final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    final List<NetworkServiceEndpointResponse> nseResponses = new CopyOnWriteArrayList<>();
    final List<NetworkServiceResponse> nsResponses = new CopyOnWriteArrayList<>();

    /** When set, every call fails with this status. */
    volatile Status failure;
    /** When set, a monitor stream stays open after its canned events, as a live service's does. */
    volatile boolean monitorStaysOpen;
    /** Delay before a Request is answered. */
    volatile Duration requestDelay = Duration.ZERO;

    private final Server server;

    FakeNsm() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new NetworkServiceFake())
                .addService(new MonitorFake())
                .addService(new NseRegistryFake())
                .addService(new NsRegistryFake())
                .build()
                .start();
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    private boolean failed(StreamObserver<?> observer) {
        Status status = failure;
        if (status != null) {
            observer.onError(status.asRuntimeException());
            return true;
        }
        return false;
    }

    /** What an NSE answers: the chosen mechanism completed, addresses, routes, MTU and its own segment. */
    static Connection grant(NetworkServiceRequest request) {
        Connection c = request.getConnection();
        Path.Builder path = c.getPath().toBuilder();
        PathSegment nse = PathSegment.newBuilder()
                .setName(NSE_NAME)
                .setId(NSE_SEGMENT_ID)
                .setExpires(Timestamp.newBuilder().setSeconds(1_900_000_000L))
                .build();
        if (path.getPathSegmentsCount() > c.getPath().getIndex() + 1) {
            path.setPathSegments(c.getPath().getIndex() + 1, nse);
        } else {
            path.addPathSegments(nse);
        }
        return c.toBuilder()
                .setNetworkServiceEndpointName(c.getNetworkServiceEndpointName().isEmpty() ? NSE_NAME
                        : c.getNetworkServiceEndpointName())
                .setMechanism(request.getMechanismPreferences(0).toBuilder()
                        .putParameters("dst_ip", "192.0.2.9")
                        .putParameters("dst_port", "4789")
                        .putParameters("vni", "4242"))
                .setContext(ConnectionContext.newBuilder()
                        .setMTU(1450)
                        .setIpContext(c.getContext().getIpContext().toBuilder()
                                .clearSrcIpAddrs().addSrcIpAddrs("172.16.0.2/32")
                                .clearDstIpAddrs().addDstIpAddrs("172.16.0.1/32")
                                .clearSrcRoutes().addSrcRoutes(Route.newBuilder().setPrefix("172.16.0.1/32"))
                                .clearDstRoutes().addDstRoutes(Route.newBuilder().setPrefix("172.16.0.2/32"))))
                .setPath(path)
                .setState(State.UP)
                .build();
    }

    private final class NetworkServiceFake extends NetworkServiceGrpc.NetworkServiceImplBase {
        @Override
        public void request(NetworkServiceRequest request, StreamObserver<Connection> observer) {
            requests.add(request);
            try {
                Thread.sleep(requestDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!failed(observer)) {
                observer.onNext(grant(request));
                observer.onCompleted();
            }
        }

        @Override
        public void close(Connection connection, StreamObserver<Empty> observer) {
            closes.add(connection);
            if (!failed(observer)) {
                observer.onNext(Empty.getDefaultInstance());
                observer.onCompleted();
            }
        }
    }

    private final class MonitorFake extends MonitorConnectionGrpc.MonitorConnectionImplBase {
        @Override
        public void monitorConnections(MonitorScopeSelector selector, StreamObserver<ConnectionEvent> observer) {
            selectors.add(selector);
            if (!failed(observer)) {
                events.forEach(observer::onNext);
                if (!monitorStaysOpen) {
                    observer.onCompleted();
                }
            }
        }
    }

    private final class NseRegistryFake extends NetworkServiceEndpointRegistryGrpc.NetworkServiceEndpointRegistryImplBase {
        @Override
        public void find(NetworkServiceEndpointQuery query, StreamObserver<NetworkServiceEndpointResponse> observer) {
            nseQueries.add(query);
            if (!failed(observer)) {
                nseResponses.forEach(observer::onNext);
                observer.onCompleted();
            }
        }
    }

    private final class NsRegistryFake extends NetworkServiceRegistryGrpc.NetworkServiceRegistryImplBase {
        @Override
        public void find(NetworkServiceQuery query, StreamObserver<NetworkServiceResponse> observer) {
            nsQueries.add(query);
            if (!failed(observer)) {
                nsResponses.forEach(observer::onNext);
                observer.onCompleted();
            }
        }
    }
}
