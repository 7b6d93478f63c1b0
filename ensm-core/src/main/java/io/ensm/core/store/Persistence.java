package io.ensm.core.store;

import io.ensm.core.alloc.Claims;
import io.ensm.core.replica.Ownership;
import io.ensm.core.replica.SoleReplica;

import java.util.Objects;

/**
 * An opened store: the connection records, who among the replicas serves which endpoint, and the
 * claims that keep replicas from handing out the same value. A store only one ensm uses holds
 * every endpoint itself ({@link SoleReplica}) and needs no claims.
 */
public record Persistence(ConnectionStore connections, Ownership ownership, Claims claims) implements AutoCloseable {
    public Persistence {
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(ownership, "ownership");
        Objects.requireNonNull(claims, "claims");
    }

    /** A store of one replica's own. */
    public static Persistence sole(ConnectionStore connections, Ownership.Replica self) {
        return new Persistence(connections, new SoleReplica(self), Claims.NONE);
    }

    /** Gives up holds first, so no replica waits on a lease of ours, then closes the records. */
    @Override
    public void close() {
        try {
            ownership.close();
        } finally {
            connections.close();
        }
    }
}
