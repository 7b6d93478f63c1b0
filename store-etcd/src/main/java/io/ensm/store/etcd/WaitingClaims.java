package io.ensm.store.etcd;

import io.ensm.core.alloc.Claims;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims of new connections that wait for the connection's next record write, by their etcd
 * keys: {@link io.ensm.store.etcd.ownership.EtcdClaims} leaves them here and
 * {@link EtcdConnectionStore} takes them into the transaction of that write, so a new connection
 * costs one etcd commit for its record and its values together.
 */
public final class WaitingClaims {
    private final Map<String, Map<String, Claims.Claim>> byConnection = new ConcurrentHashMap<>();

    /** Replaces what waits for the connection: each claim by its etcd key. */
    public void put(String connectionId, Map<String, Claims.Claim> byKey) {
        byConnection.put(connectionId, Map.copyOf(byKey));
    }

    /** Removes and returns what waits for the connection (empty: nothing). */
    public Map<String, Claims.Claim> take(String connectionId) {
        Map<String, Claims.Claim> waiting = byConnection.remove(connectionId);
        return waiting == null ? Map.of() : waiting;
    }

    /** Forgets what waits for the connection, unwritten. */
    public void drop(String connectionId) {
        byConnection.remove(connectionId);
    }
}
