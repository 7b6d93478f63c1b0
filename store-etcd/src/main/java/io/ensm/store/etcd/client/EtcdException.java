package io.ensm.store.etcd.client;

/**
 * An etcd call that did not succeed, with what the caller may conclude from it ({@link #kind}).
 * The message names the operation, the key where there is one, the members tried and etcd's reason.
 */
public final class EtcdException extends RuntimeException {

    /** What the failure says about the state in etcd. */
    public enum Kind {
        /** No member served the call before its deadline; a write was not applied. */
        UNAVAILABLE,
        /**
         * A write reached a member that then failed or stopped answering: it may or may not have
         * been applied. Read the key back before acting on either assumption.
         */
        OUTCOME_UNKNOWN,
        /** etcd refused the request (bad request, unknown lease, compacted revision...); a retry would fail the same way. */
        REFUSED,
        /** The client was closed. */
        CLOSED
    }

    private final Kind kind;

    public EtcdException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether etcd refused the call because the lease it names no longer exists (expired, or
     * revoked): what the holder of that lease hears once it has lost everything bound to it.
     * etcd answers that, and only that, with gRPC's NOT_FOUND on the KV and lease services.
     */
    public boolean leaseGone() {
        return kind == Kind.REFUSED && getCause() instanceof io.grpc.StatusRuntimeException s
                && s.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND
                && String.valueOf(s.getStatus().getDescription()).contains("lease not found");
    }
}
