package io.ensm.core.testing;

import io.ensm.core.alloc.Claims;
import io.ensm.core.alloc.ClaimsRefused;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Claims} several allocators in one test share, as replicas share a store's claim keys.
 * {@link #withRecords()} also leaves claims to the connection's record write, as the etcd store
 * does: {@link #writeRecord} stands for that write.
 */
public final class SharedClaims implements Claims {
    private final boolean withRecords;
    /** Claims waiting for their connection's record write. */
    private final Map<String, List<Claim>> waiting = new HashMap<>();

    public SharedClaims() {
        this(false);
    }

    private SharedClaims(boolean withRecords) {
        this.withRecords = withRecords;
    }

    /** Claims that may wait for the connection's record write. */
    public static SharedClaims withRecords() {
        return new SharedClaims(true);
    }

    @Override
    public synchronized boolean claimWithRecord(String connectionId, List<Claim> claims) {
        if (!withRecords) {
            return false;
        }
        waiting.put(connectionId, List.copyOf(claims));
        return true;
    }

    /**
     * The record write of the connection: makes what waits for it, all or none; throws
     * {@link ClaimsRefused} naming the values another connection holds, making nothing.
     */
    public synchronized void writeRecord(String connectionId) {
        List<Claim> claims = waiting.remove(connectionId);
        if (claims == null) {
            return;
        }
        Set<Claim> refused = claim(connectionId, claims);
        if (!refused.isEmpty()) {
            throw new ClaimsRefused(connectionId, refused);
        }
    }

    /** Connections whose claims wait for their record write. */
    public synchronized Set<String> waiting() {
        return Set.copyOf(waiting.keySet());
    }
    /** By the value alone: who holds it (a connection, or a shared claim's holder). */
    private final Map<Claim, String> holders = new HashMap<>();
    /** Connections holding each shared claim. */
    private final Map<Claim, Set<String>> members = new HashMap<>();

    private static Claim value(Claim c) {
        return new Claim(c.pool(), c.value());
    }

    private static String holderOf(String connectionId, Claim c) {
        return c.shared() ? c.holder() : connectionId;
    }

    @Override
    public synchronized Set<Claim> claim(String connectionId, List<Claim> claims) {
        Set<Claim> refused = new LinkedHashSet<>();
        for (Claim c : claims) {
            String holder = holders.get(value(c));
            if (holder != null && !holder.equals(holderOf(connectionId, c))) {
                refused.add(c.shared() ? new Claim(c.pool(), c.value(), holder) : c);
            }
        }
        if (refused.isEmpty()) {
            for (Claim c : claims) {
                holders.put(value(c), holderOf(connectionId, c));
                if (c.shared()) {
                    members.computeIfAbsent(value(c), k -> new HashSet<>()).add(connectionId);
                }
            }
        }
        return refused;
    }

    @Override
    public synchronized void release(String connectionId, List<Claim> claims) {
        waiting.remove(connectionId);
        for (Claim c : claims) {
            if (!c.shared()) {
                holders.remove(value(c), connectionId);
                continue;
            }
            Set<String> m = members.get(value(c));
            if (m != null && m.remove(connectionId) && m.isEmpty()) {
                members.remove(value(c));
                holders.remove(value(c), c.holder());
            }
        }
    }

    /** Who holds each value, keyed by pool and value. */
    public synchronized Map<Claim, String> holders() {
        return Map.copyOf(holders);
    }
}
