package io.ensm.ctl;

/** A failure outside gRPC (reading or writing a connection file) that ends the command. */
public final class CliFailure extends RuntimeException {

    private final int exitCode;

    public CliFailure(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
