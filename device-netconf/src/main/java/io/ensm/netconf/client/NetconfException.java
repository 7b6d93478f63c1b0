package io.ensm.netconf.client;

import io.ensm.core.spi.BackendException;

import java.util.List;
import java.util.Optional;

/**
 * Why a NETCONF operation on a device failed, as five cases a backend maps one to one onto
 * {@link BackendException.Kind}. Every message names the device and the step that failed and never
 * contains a credential.
 */
public abstract sealed class NetconfException extends Exception {
    private final String device;
    private final String step;
    private final String detail;

    private NetconfException(String device, String step, String detail, Throwable cause) {
        super("device " + device + ": " + step + ": " + detail, cause);
        this.device = device;
        this.step = step;
        this.detail = detail;
    }

    /** The message without the device and step. */
    public String detail() {
        return detail;
    }

    public String device() {
        return device;
    }

    /** What was being done: connect, authenticate, host key, hello, lock, edit-config, commit, ... */
    public String step() {
        return step;
    }

    public abstract BackendException.Kind kind();

    public BackendException toBackendException() {
        return new BackendException(kind(), getMessage(), this);
    }

    /** Connection refused, timed out, dropped, or the device stopped answering. */
    public static final class Unreachable extends NetconfException {
        private final boolean sessionEnded;

        public Unreachable(String device, String step, String detail, Throwable cause) {
            this(device, step, detail, cause, false);
        }

        /**
         * @param sessionEnded the session was found closed (before sending, or while waiting):
         *                     unlike silence, a new session may well succeed at once
         */
        public Unreachable(String device, String step, String detail, Throwable cause, boolean sessionEnded) {
            super(device, step, detail, cause);
            this.sessionEnded = sessionEnded;
        }

        public boolean sessionEnded() {
            return sessionEnded;
        }

        @Override
        public BackendException.Kind kind() {
            return BackendException.Kind.UNREACHABLE;
        }
    }

    /** Credentials or host identity refused; retrying soon will not help. */
    public static final class Denied extends NetconfException {
        public Denied(String device, String step, String detail, Throwable cause) {
            super(device, step, detail, cause);
        }

        @Override
        public BackendException.Kind kind() {
            return BackendException.Kind.DENIED;
        }
    }

    /** The device answered with rpc-errors, or the change did not hold on read-back. */
    public static final class Rejected extends NetconfException {
        private final List<RpcError> errors;

        public Rejected(String device, String step, List<RpcError> errors) {
            super(device, step, describe(errors), null);
            this.errors = List.copyOf(errors);
        }

        public Rejected(String device, String step, String detail) {
            super(device, step, detail, null);
            this.errors = List.of();
        }

        public List<RpcError> errors() {
            return errors;
        }

        private static String describe(List<RpcError> errors) {
            if (errors.isEmpty()) {
                return "refused without an rpc-error";
            }
            StringBuilder b = new StringBuilder();
            for (RpcError e : errors) {
                if (!b.isEmpty()) {
                    b.append("; ");
                }
                b.append(e.describe());
            }
            return b.toString();
        }

        @Override
        public BackendException.Kind kind() {
            return BackendException.Kind.REJECTED;
        }
    }

    /** Another party holds what is needed (a datastore lock, every pooled session); try later. */
    public static final class Busy extends NetconfException {
        private final Optional<Long> holderSessionId;

        public Busy(String device, String step, String detail, Optional<Long> holderSessionId) {
            super(device, step, detail, null);
            this.holderSessionId = holderSessionId;
        }

        /** The NETCONF session id holding the lock, when the device said. */
        public Optional<Long> holderSessionId() {
            return holderSessionId;
        }

        @Override
        public BackendException.Kind kind() {
            return BackendException.Kind.BUSY;
        }
    }

    /**
     * The device holds a newer fencing token than the hold this write was made under: another
     * replica has taken the endpoint over, so nothing was written.
     */
    public static final class Fenced extends NetconfException {
        private final long found;
        private final long own;

        public Fenced(String device, String step, String detail, long found, long own) {
            super(device, step, detail, null);
            this.found = found;
            this.own = own;
        }

        /** The token the device holds. */
        public long found() {
            return found;
        }

        /** The token of this replica's hold. */
        public long own() {
            return own;
        }

        @Override
        public BackendException.Kind kind() {
            return BackendException.Kind.FENCED;
        }
    }
}
