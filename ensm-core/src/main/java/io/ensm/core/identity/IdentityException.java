package io.ensm.core.identity;

/**
 * The identity cannot be loaded: a file is missing or malformed, the key does not match the
 * certificate, the trust bundle does not sign the SVID, or the Workload API did not answer.
 * The message names what failed and never contains key material.
 */
public class IdentityException extends RuntimeException {
    public IdentityException(String message) {
        super(message);
    }

    public IdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
