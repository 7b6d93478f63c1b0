package io.ensm.core.endpoint.provision;

import io.ensm.core.chain.Failures;
import io.ensm.core.spi.BackendException;
import io.grpc.StatusRuntimeException;

/** A backend or forwarder step that failed, named so the caller's status says where. */
public final class StepFailure extends Exception {
    private final String step;
    private final BackendException.Kind kind;

    public StepFailure(String step, BackendException cause) {
        super(step + " failed: " + cause.getMessage(), cause);
        this.step = step;
        this.kind = cause.kind();
    }

    public String step() {
        return step;
    }

    /** The gRPC status the caller gets: its code says whether retrying can help. */
    public StatusRuntimeException toStatus(String where) {
        String message = where + ": " + getMessage();
        return switch (kind) {
            case UNREACHABLE -> Failures.unavailable(message);
            case REJECTED, DENIED -> Failures.precondition(message);
            case EXHAUSTED -> Failures.exhausted(message);
            case NOT_FOUND -> Failures.notFound(message);
            case BUSY, FENCED -> Failures.aborted(message);
        };
    }
}
