package io.ensm.bench;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Times each NetworkService/Request on the server, from the arrival of its headers to the
 * reply being handed to the transport: ensm's share of a round trip, without the client.
 */
final class ServerTiming implements ServerInterceptor {
    private static final String REQUEST = "networkservice.NetworkService/Request";
    private final Probe probe;

    ServerTiming(Probe probe) {
        this.probe = probe;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!REQUEST.equals(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        long t0 = System.nanoTime();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                probe.record(System.nanoTime() - t0);
                super.close(status, trailers);
            }
        }, headers);
    }
}
