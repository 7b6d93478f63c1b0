package io.ensm.tf.backend;

import io.ensm.core.spi.BackendException;
import io.ensm.tf.vnc.VncException;

/** Turns a failed API call into the backend failure the core maps to a gRPC status. */
final class Faults {
    private Faults() {}

    /**
     * No answer, 502-504 and other server errors: TF is unreachable or failing (UNAVAILABLE);
     * 401/403: credentials refused; 404: something named does not exist; 400/409/412: TF refused
     * the change, with TF's own message.
     */
    static BackendException of(String step, VncException e) {
        int s = e.status();
        BackendException.Kind kind;
        if (s == VncException.NO_ANSWER || s >= 500) {
            kind = BackendException.Kind.UNREACHABLE;
        } else if (s == 401 || s == 403) {
            kind = BackendException.Kind.DENIED;
        } else if (s == 404) {
            kind = BackendException.Kind.NOT_FOUND;
        } else {
            kind = BackendException.Kind.REJECTED;
        }
        return new BackendException(kind, step + ": TF API " + e.getMessage(), e);
    }
}
