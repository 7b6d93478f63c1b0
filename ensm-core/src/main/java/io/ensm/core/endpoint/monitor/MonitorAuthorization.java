package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.PathSegment;
import io.ensm.core.authz.Policy;
import io.ensm.core.authz.Refusal;
import io.ensm.core.chain.Caller;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * NSM's {@code service_connection} policy for {@code MonitorConnections} over mutual TLS: a caller
 * may watch a scope only when the selector names, by path segment id, at least one connection the
 * caller requested. ensm itself and the configured operator IDs may watch every connection.
 * Without mutual TLS (plaintext is allowed on loopback only) nothing is checked.
 */
public final class MonitorAuthorization {
    private final ConnectionOwners owners;
    private final Set<String> watchAll;
    private final Supplier<String> ownId;
    private final boolean enforced;

    private MonitorAuthorization(ConnectionOwners owners, Set<String> watchAll, Supplier<String> ownId, boolean enforced) {
        this.owners = owners;
        this.watchAll = Set.copyOf(watchAll);
        this.ownId = ownId;
        this.enforced = enforced;
    }

    public static MonitorAuthorization enforced(ConnectionOwners owners, Set<String> watchAll, Supplier<String> ownId) {
        return new MonitorAuthorization(owners, watchAll, ownId, true);
    }

    public static MonitorAuthorization off() {
        return new MonitorAuthorization(null, Set.of(), () -> "", false);
    }

    /** Empty when the caller may watch the selector's scope, else the refusal. */
    public Optional<Refusal> check(Optional<Caller> caller, MonitorScopeSelector selector) {
        if (!enforced) {
            return Optional.empty();
        }
        if (caller.isEmpty()) {
            return refuse("the caller presented no SPIFFE ID");
        }
        String id = caller.get().spiffeId();
        if (watchAll.contains(id) || id.equals(ownId.get())) {
            return Optional.empty();
        }
        List<String> ids = selector.getPathSegmentsList().stream().map(PathSegment::getId).filter(s -> !s.isEmpty()).toList();
        if (ids.isEmpty()) {
            return refuse("caller " + id + " asked to watch without naming a connection id in the scope selector; only"
                    + " callers configured as monitor-all-callers may watch every connection");
        }
        if (owners.ownsAny(id, ids)) {
            return Optional.empty();
        }
        return refuse("caller " + id + " holds none of the connections the scope selector names " + ids);
    }

    private static Optional<Refusal> refuse(String reason) {
        return Optional.of(new Refusal(Policy.SERVICE_CONNECTION, reason));
    }
}
