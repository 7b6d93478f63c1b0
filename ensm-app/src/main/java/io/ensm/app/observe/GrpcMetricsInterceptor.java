package io.ensm.app.observe;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every gRPC call and counts it by method and status code, so errors by status and
 * latencies per method show up in Prometheus as {@code ensm_grpc_server_calls_seconds}.
 */
public final class GrpcMetricsInterceptor implements ServerInterceptor {
    private final MeterRegistry registry;

    public GrpcMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Timer.Sample sample = Timer.start(registry);
        String method = call.getMethodDescriptor().getFullMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                sample.stop(Timer.builder("ensm.grpc.server.calls")
                        .description("gRPC calls served, by method and status")
                        .tag("method", method)
                        .tag("status", status.getCode().name())
                        .publishPercentileHistogram(false)
                        .register(registry));
                super.close(status, trailers);
            }
        }, headers);
    }
}
