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
 * so that a bug is visible but never takes the service down. Messages echo caller input, so they
 * leave on one printable line of bounded length: a caller cannot forge log lines or flood them.
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

    /** Longest status message sent and logged; longer ones are cut with a marker. */
    static final int MAX_MESSAGE = 1024;

    private static StatusRuntimeException toStatus(String call, String rawId, RuntimeException e) {
        String id = printable(rawId);
        return switch (e) {
            case StatusRuntimeException s -> {
                String description = printable(s.getStatus().getDescription());
                log.info("event={}-refused connection={} status={} reason=\"{}\"", call, id, s.getStatus().getCode(), description);
                yield s.getStatus().withDescription(description).asRuntimeException(s.getTrailers());
            }
            case StoreException s -> {
                log.warn("event={}-failed connection={} reason=\"connection store: {}\"", call, id, s.getMessage());
                yield Status.UNAVAILABLE.withDescription("connection store: " + s.getMessage()).asRuntimeException();
            }
            default -> {
                log.error("event={}-failed connection={} reason=\"unexpected error\"", call, id, e);
                yield Status.INTERNAL.withDescription(printable(call + " failed unexpectedly: " + e)).asRuntimeException();
            }
        };
    }

    /**
     * One printable line: control and line-separator characters, backslashes and double quotes
     * escaped (a newline becomes \\n); cut at {@link #MAX_MESSAGE} characters with "...".
     */
    static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_MESSAGE) + 8);
        int i = 0;
        for (; i < text.length() && b.length() < MAX_MESSAGE; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '"', '\\' -> b.append('\\').append(c);
                default -> {
                    if (Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (i < text.length()) {
            b.setLength(MAX_MESSAGE - 3);
            b.append("...");
        }
        return b.toString();
    }
}
