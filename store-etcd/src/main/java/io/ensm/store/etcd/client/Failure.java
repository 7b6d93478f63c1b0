package io.ensm.store.etcd.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.net.ConnectException;

/** What one failed attempt on one member says about the request, from etcd's and gRPC's status. */
enum Failure {
    /** The request was refused before etcd could apply it (no connection, no leader, overloaded): any call may go to another member. */
    NOT_APPLIED,
    /** The member failed after the request may have reached it: reads may go elsewhere, a write's outcome is unknown. */
    UNKNOWN,
    /** etcd answered with a definite refusal: no retry. */
    REFUSED;

    static Failure of(StatusRuntimeException e) {
        Status s = e.getStatus();
        String d = s.getDescription() == null ? "" : s.getDescription();
        return switch (s.getCode()) {
            case UNAVAILABLE -> d.startsWith("etcdserver: no leader") || d.startsWith("etcdserver: unhealthy cluster")
                    || connectionRefused(e) ? NOT_APPLIED : UNKNOWN;
            // etcd's rate limit and members that cannot serve the call (a learner, a member not yet capable)
            case RESOURCE_EXHAUSTED -> d.startsWith("etcdserver: too many requests") ? NOT_APPLIED : REFUSED;
            case FAILED_PRECONDITION -> d.startsWith("etcdserver: not capable") || d.startsWith("etcdserver: rpc not supported for learner")
                    ? NOT_APPLIED : REFUSED;
            case DEADLINE_EXCEEDED, CANCELLED, INTERNAL, UNKNOWN, ABORTED -> UNKNOWN;
            default -> REFUSED;
        };
    }

    /** gRPC fails a call without sending it when the member's port refuses connections. */
    private static boolean connectionRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** A short text of the status for messages: "UNAVAILABLE etcdserver: no leader". */
    static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        StringBuilder b = new StringBuilder(s.getCode().name());
        if (s.getDescription() != null) {
            b.append(' ').append(s.getDescription());
        }
        if (s.getCause() != null && s.getCause().getMessage() != null) {
            b.append(" (").append(s.getCause().getMessage()).append(')');
        }
        return b.toString();
    }
}
