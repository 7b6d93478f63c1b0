package io.ensm.tf.vncdouble;

/**
 * An error answer of the double: the HTTP status and the plain-text message TF's API server puts
 * in the body (it returns {@code err.body} for 400, 403, 404, 409, 412, 500 and 503).
 */
public final class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    static ApiError conflict(String message) {
        return new ApiError(409, message);
    }
}
