package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.token.PathToken;
import com.google.protobuf.InvalidProtocolBufferException;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which SPIFFE ID requested which connection, for the monitor's {@code service_connection}
 * policy: a caller may watch the connections it holds. Learnt from each successful Request over
 * mutual TLS; for connections stored before a restart, the owner is the subject of the previous
 * segment's token in the stored connection (the caller's token, verified when it was stored).
 */
public final class ConnectionOwners {
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final ConnectionTable table;

    public ConnectionOwners(ConnectionTable table) {
        this.table = table;
    }

    public void own(String connectionId, String spiffeId) {
        owners.put(connectionId, spiffeId);
    }

    public void forget(String connectionId) {
        owners.remove(connectionId);
    }

    /** Whether {@code spiffeId} holds at least one of the connections {@code ids}. */
    public boolean ownsAny(String spiffeId, Collection<String> ids) {
        for (String id : ids) {
            if (ownerOf(id).filter(spiffeId::equals).isPresent()) {
                return true;
            }
        }
        return false;
    }

    Optional<String> ownerOf(String connectionId) {
        String known = owners.get(connectionId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> stored = table.get(connectionId).flatMap(ConnectionOwners::fromStored);
        stored.ifPresent(owner -> owners.putIfAbsent(connectionId, owner));
        return stored;
    }

    private static Optional<String> fromStored(StoredConnection c) {
        try {
            Path path = Connection.parseFrom(c.connection()).getPath();
            int previous = path.getIndex() - 1;
            if (previous < 0 || previous >= path.getPathSegmentsCount()) {
                return Optional.empty();
            }
            return PathToken.decode(path.getPathSegments(previous).getToken()).flatMap(PathToken::subject);
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }
}
