package io.ensm.forwarder.bridge;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.forwarder.netlink.Errno;
import io.ensm.forwarder.netlink.NetlinkException;

/** Turns kernel refusals into backend failures whose kind the core maps to a gRPC status. */
final class Failures {
    private Failures() {}

    static Kind kindOf(int errno) {
        return switch (errno) {
            case Errno.ENODEV, Errno.ENOENT, Errno.ESRCH, Errno.EADDRNOTAVAIL -> Kind.NOT_FOUND;
            case Errno.EBUSY, Errno.EAGAIN -> Kind.BUSY;
            case Errno.EPERM, Errno.EACCES -> Kind.DENIED;
            case Errno.ENOSPC, Errno.ENOBUFS, Errno.ENOMEM, Errno.ENFILE, Errno.EMFILE -> Kind.EXHAUSTED;
            case Errno.ETIMEDOUT -> Kind.UNREACHABLE;
            default -> Kind.REJECTED;
        };
    }

    /** "connection X: STEP: netlink message", with the kind of the errno. */
    static BackendException of(String connectionId, String step, NetlinkException e) {
        return new BackendException(kindOf(e.errno()), "connection " + connectionId + ": " + step + ": " + e.getMessage(), e);
    }

    /** A failure that is not the kernel's answer (a socket closed under us, a thread that could not start). */
    static BackendException unexpected(String connectionId, String step, RuntimeException e, String consequence) {
        Kind kind = e instanceof NetlinkException n ? kindOf(n.errno()) : Kind.UNREACHABLE;
        return new BackendException(kind, "connection " + connectionId + ": " + step + ": " + e.getMessage() + "; " + consequence, e);
    }

    static BackendException rejected(String connectionId, String message) {
        return new BackendException(Kind.REJECTED, "connection " + connectionId + ": " + message);
    }

    static BackendException notFound(String connectionId, String message) {
        return new BackendException(Kind.NOT_FOUND, "connection " + connectionId + ": " + message);
    }
}
