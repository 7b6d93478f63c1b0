package io.ensm.core.runtime;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Counts each NSM call as work in flight while its handler runs (for unary calls, inside the
 * half-close), and once the shutdown began answers new ones UNAVAILABLE with a message saying so.
 */
final class DrainInterceptor implements ServerInterceptor {
    static final String REFUSAL = "ensm is shutting down: it takes no new Request or Close;"
            + " retry with another endpoint or once it has restarted";

    private final Drain drain;

    DrainInterceptor(Drain drain) {
        this.drain = drain;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            @Override
            public void onHalfClose() {
                if (!drain.enter()) {
                    call.close(Status.UNAVAILABLE.withDescription(REFUSAL), new Metadata());
                    return;
                }
                try {
                    super.onHalfClose();
                } finally {
                    drain.exit();
                }
            }
        };
    }
}
