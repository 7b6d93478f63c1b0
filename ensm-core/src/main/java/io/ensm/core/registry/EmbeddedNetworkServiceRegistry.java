package io.ensm.core.registry;

import com.google.protobuf.Empty;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceQuery;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.ensm.api.registry.NetworkServiceResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-memory {@code registry.NetworkServiceRegistry} for deployments without an external registry.
 * Services do not expire (NSM's memory registry does not expire them either); they stay until unregistered.
 */
public final class EmbeddedNetworkServiceRegistry extends NetworkServiceRegistryGrpc.NetworkServiceRegistryImplBase {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedNetworkServiceRegistry.class);

    private final RegistryTable<NetworkService> table = new RegistryTable<>();

    @Override
    public void register(NetworkService request, StreamObserver<NetworkService> responseObserver) {
        try {
            RegistryValidation.validateService(request);
        } catch (StatusRuntimeException e) {
            log.warn("network service rejected name={} reason=\"{}\"", request.getName(), e.getStatus().getDescription());
            responseObserver.onError(e);
            return;
        }
        NetworkService stored = table.upsert(request.getName(), previous -> {
            if (previous == null) {
                log.info("network service registered name={} payload={}", request.getName(), request.getPayload());
            }
            return request;
        });
        responseObserver.onNext(stored);
        responseObserver.onCompleted();
    }

    @Override
    public void find(NetworkServiceQuery request, StreamObserver<NetworkServiceResponse> responseObserver) {
        NetworkService query = request.getNetworkService();
        WatchStreams.serveFind(table, ns -> QueryMatcher.matches(query, ns), ns -> true, request.getWatch(),
                (ns, deleted) -> NetworkServiceResponse.newBuilder().setNetworkService(ns).setDeleted(deleted).build(),
                responseObserver);
    }

    @Override
    public void unregister(NetworkService request, StreamObserver<Empty> responseObserver) {
        try {
            RegistryValidation.validateName("network service name", request.getName());
        } catch (StatusRuntimeException e) {
            responseObserver.onError(e);
            return;
        }
        table.remove(request.getName())
                .ifPresent(ns -> log.info("network service unregistered name={}", ns.getName()));
        responseObserver.onNext(Empty.getDefaultInstance());
        responseObserver.onCompleted();
    }

    /** Current services, for diagnostics and tests. */
    public List<NetworkService> snapshot() {
        return table.find(ns -> true);
    }

    /** Open watch streams; lets tests and health checks see that cancelled watches are released. */
    public int watchCount() {
        return table.watchCount();
    }
}
