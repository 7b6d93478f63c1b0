package io.ensm.openstack.neutron;

import io.ensm.core.spi.BackendException;

/**
 * Neutron answered with an error. Carries the HTTP status and Neutron's error type (e.g.
 * {@code DuplicateSubPort}, {@code OverQuota}) so callers can accept the ones that mean "already
 * done"; the message is Neutron's own.
 */
public final class NeutronFailure extends BackendException {
    private final int status;
    private final String type;

    public NeutronFailure(Kind kind, int status, String type, String message) {
        super(kind, message);
        this.status = status;
        this.type = type == null ? "" : type;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** The kind the caller's status follows from the HTTP status and Neutron's error type. */
    static Kind kindOf(int status, String type) {
        if ("OverQuota".equals(type) || "IpAddressGenerationFailure".equals(type) || "MacAddressGenerationFailure".equals(type)) {
            return Kind.EXHAUSTED;
        }
        return switch (status) {
            case 401, 403 -> Kind.DENIED;
            case 404 -> Kind.NOT_FOUND;
            case 400, 409, 412, 413 -> Kind.REJECTED;
            default -> status >= 500 ? Kind.UNREACHABLE : Kind.REJECTED;
        };
    }
}
