package io.ensm.core.spi;

/**
 * A backend or forwarder failure with a kind that the core maps to a gRPC status. The message must
 * say what failed on which device or VIM, and must never contain a credential.
 */
public class BackendException extends Exception {
    /** Why it failed, in the terms the caller can act on. */
    public enum Kind {
        /** The device or VIM could not be reached or timed out. */
        UNREACHABLE,
        /** The device or VIM refused the change (validation error, conflict). */
        REJECTED,
        /** A resource on the device or VIM is used up. */
        EXHAUSTED,
        /** An object the intent refers to does not exist. */
        NOT_FOUND,
        /** Another party holds what is needed (a lock), try later. */
        BUSY,
        /** Credentials or host identity were refused. */
        DENIED,
        /**
         * The far side holds a newer fencing token than this replica's hold: another replica has
         * taken the endpoint over, so nothing was written.
         */
        FENCED
    }

    private final Kind kind;

    public BackendException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BackendException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
