package io.ensm.core.server;

import com.google.protobuf.Empty;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.store.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code networkservice.NetworkService} over the endpoint chain. Every failure leaves as a gRPC
 * status with a message; an unexpected exception becomes INTERNAL and is logged with its stack,
 * so that a bug is visible but never takes the service down.
 */
public final class NetworkServiceService extends NetworkServiceGrpc.NetworkServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(NetworkServiceService.class);

    private final Endpoint endpoint;

    public NetworkServiceService(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void request(NetworkServiceRequest request, StreamObserver<Connection> observer) {
        try {
            observer.onNext(endpoint.request(request, CallContexts.current()));
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(toStatus("request", request.getConnection().getId(), e));
        }
    }

    @Override
    public void close(Connection connection, StreamObserver<Empty> observer) {
        try {
            endpoint.close(connection, CallContexts.current());
            observer.onNext(Empty.getDefaultInstance());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(toStatus("close", connection.getId(), e));
        }
    }

    private static StatusRuntimeException toStatus(String call, String id, RuntimeException e) {
        return switch (e) {
            case StatusRuntimeException s -> {
                log.info("event={}-refused connection={} status={} reason=\"{}\"", call, id, s.getStatus().getCode(),
                        s.getStatus().getDescription());
                yield s;
            }
            case StoreException s -> {
                log.warn("event={}-failed connection={} reason=\"connection store: {}\"", call, id, s.getMessage());
                yield Status.UNAVAILABLE.withDescription("connection store: " + s.getMessage()).asRuntimeException();
            }
            default -> {
                log.error("event={}-failed connection={} reason=\"unexpected error\"", call, id, e);
                yield Status.INTERNAL.withDescription(call + " failed unexpectedly: " + e).asRuntimeException();
            }
        };
    }
}
