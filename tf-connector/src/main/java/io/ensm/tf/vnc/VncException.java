package io.ensm.tf.vnc;

/**
 * A call to the VNC API (or to Keystone for it) that did not succeed. {@code status} is the HTTP
 * status, or 0 when no answer came (connection refused, timeout); {@code detail} is the server's own
 * message (TF answers errors with the message as the plain body) or what went wrong locally.
 * Neither ever holds a credential.
 */
public final class VncException extends Exception {
    /** No HTTP answer at all. */
    public static final int NO_ANSWER = 0;

    private final int status;
    private final String request;
    private final String detail;
    private final boolean mayHaveLanded;

    public VncException(int status, String request, String detail) {
        this(status, request, detail, false, null);
    }

    public VncException(int status, String request, String detail, Throwable cause) {
        this(status, request, detail, false, cause);
    }

    /**
     * @param mayHaveLanded the request (or an earlier attempt of it) reached the server and the
     *                      answer was lost, so the change may have been made
     */
    public VncException(int status, String request, String detail, boolean mayHaveLanded, Throwable cause) {
        super(request + " -> " + (status == NO_ANSWER ? "no answer: " : status + " ") + detail);
        this.status = status;
        this.request = request;
        this.detail = detail;
        this.mayHaveLanded = mayHaveLanded;
        if (cause != null) {
            initCause(cause);
        }
    }

    public int status() {
        return status;
    }

    /** "METHOD url" of the call that failed. */
    public String request() {
        return request;
    }

    /** The server's message, or the local reason. */
    public String detail() {
        return detail;
    }

    /** True when the change may have been made although the call failed (a lost answer). */
    public boolean mayHaveLanded() {
        return mayHaveLanded;
    }

    public boolean isNotFound() {
        return status == 404;
    }

    public boolean isConflict() {
        return status == 409;
    }
}
