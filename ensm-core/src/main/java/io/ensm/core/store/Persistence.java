package io.ensm.core.store;

import io.ensm.core.replica.Ownership;
import io.ensm.core.replica.SoleReplica;

import java.util.Objects;

/**
 * An opened store: the connection records, and who among the replicas serves which endpoint.
 * A store only one ensm uses holds every endpoint itself ({@link SoleReplica}).
 */
public record Persistence(ConnectionStore connections, Ownership ownership) implements AutoCloseable {
    public Persistence {
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(ownership, "ownership");
    }

    /** A store of one replica's own. */
    public static Persistence sole(ConnectionStore connections, Ownership.Replica self) {
        return new Persistence(connections, new SoleReplica(self));
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
