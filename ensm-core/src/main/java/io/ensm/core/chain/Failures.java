package io.ensm.core.chain;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Short-hands for the gRPC statuses the chain answers with; the message says what was wrong. */
public final class Failures {
    private Failures() {}

    public static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException precondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException unavailable(String message) {
        return Status.UNAVAILABLE.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException exhausted(String message) {
        return Status.RESOURCE_EXHAUSTED.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException aborted(String message) {
        return Status.ABORTED.withDescription(message).asRuntimeException();
    }

    /** Prefixes a status's description with where it happened, keeping its code. */
    public static StatusRuntimeException prefixed(String where, StatusRuntimeException e) {
        String d = e.getStatus().getDescription();
        return e.getStatus().withDescription(where + ": " + (d == null ? e.getStatus().getCode().name() : d))
                .withCause(e.getCause()).asRuntimeException();
    }
}
