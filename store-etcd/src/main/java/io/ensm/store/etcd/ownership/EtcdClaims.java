package io.ensm.store.etcd.ownership;

import io.ensm.core.alloc.Claims;
import io.ensm.core.store.StoreException;
import io.ensm.store.etcd.WaitingClaims;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdException;
import io.ensm.store.etcd.client.Entry;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Claims as etcd keys, {@code <base>claims/<pool>/<value>}, holding the id of the connection that
 * has the value. A key is created only where absent, so of two replicas claiming one value exactly
 * one gets it. Claims are bound to no lease: a connection outlives the replica that made it.
 */
public final class EtcdClaims implements Claims {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EtcdClaims.class);
    /** Rounds when keys this connection held are released while it claims them again. */
    private static final int ROUNDS = 3;
    /** Pool prefix of the keys each connection of a shared claim holds under it. */
    static final String MEMBERS = "members/";

    private final EtcdClient client;
    private final String prefix;
    private final String connections;
    /** Claims the last sweeps found unexplained, by key: as they were then, and since when. */
    private final Map<String, Suspect> suspects = new java.util.concurrent.ConcurrentHashMap<>();

    private record Suspect(long modRevision, long since) {}

    /** Claims left to the next record write of their connection; null: each claim is a transaction of its own. */
    private final WaitingClaims waiting;

    /** @param base the cluster's key prefix, ending with {@code /} */
    public EtcdClaims(EtcdClient client, String base) {
        this(client, base, null);
    }

    /**
     * @param waiting where claims wait for the record write of their connection, shared with the
     *                {@link io.ensm.store.etcd.EtcdConnectionStore} of the same base; null: none wait
     */
    public EtcdClaims(EtcdClient client, String base, WaitingClaims waiting) {
        this.client = client;
        this.prefix = base + "claims/";
        this.connections = base + "connections/";
        this.waiting = waiting;
    }

    /** The keys wait, as {@link #claimOwn} would create them, for the store's next write of the connection. */
    @Override
    public boolean claimWithRecord(String connectionId, List<Claim> claims) {
        if (waiting == null) {
            return false;
        }
        Map<String, Claim> byKey = new LinkedHashMap<>();
        for (Claim c : claims) {
            if (c.shared()) {
                throw new IllegalArgumentException("a shared claim is granted by holder, not with a record: " + c);
            }
            byKey.put(key(c), c);
        }
        waiting.put(connectionId, byKey);
        return true;
    }

    /**
     * All keys in one transaction that creates them only if none exists, so the result is all or
     * none as {@link Claims} asks and a new connection costs one etcd commit however many values
     * it claims. Keys found naming this connection already are its own; the others are created in
     * the next round.
     */
    @Override
    public Set<Claim> claim(String connectionId, List<Claim> claims) {
        List<Claim> own = new java.util.ArrayList<>();
        List<Claim> shared = new java.util.ArrayList<>();
        for (Claim c : claims) {
            if (c.shared()) {
                shared.add(c);
                own.add(member(c, connectionId)); // made first: the shared key is never without it
            } else {
                own.add(c);
            }
        }
        Set<Claim> refused = claimOwn(connectionId, own);
        if (!refused.isEmpty()) {
            return refused;
        }
        List<Claim> granted = new java.util.ArrayList<>(own.stream().filter(c -> !isMember(c)).toList());
        for (Claim c : shared) {
            String other;
            try {
                other = claimShared(c);
            } catch (RuntimeException e) {
                release(connectionId, granted);
                releaseMembers(connectionId, shared);
                throw e;
            }
            if (other != null) {
                release(connectionId, granted);
                releaseMembers(connectionId, shared);
                return Set.of(new Claim(c.pool(), c.value(), other));
            }
            granted.add(c);
        }
        return Set.of();
    }

    /**
     * Creates the shared key, or re-writes it where it names the holder already: a release that
     * read it before and found no members then fails, so the member made just before is never
     * left without it. Returns null when held, else the holder that has it.
     */
    private String claimShared(Claim c) {
        String key = key(c);
        byte[] holder = c.holder().getBytes(StandardCharsets.UTF_8);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                java.util.Optional<Entry> now = client.get(key);
                if (now.isEmpty()) {
                    if (client.createIfAbsent(key, holder, 0) instanceof io.ensm.store.etcd.client.TxnOutcome.Done) {
                        return null;
                    }
                } else if (!now.get().sameValue(holder)) {
                    return now.get().valueUtf8();
                } else if (client.ifModRevision(key, now.get().modRevision(),
                        List.of(new io.ensm.store.etcd.client.Write.Put(key, holder, 0)))
                        instanceof io.ensm.store.etcd.client.TxnOutcome.Done) {
                    return null;
                }
            }
        } catch (EtcdException e) {
            throw new StoreException("cannot claim " + c + " in etcd: " + e.getMessage(), e);
        }
        throw new StoreException("cannot claim " + c + " in etcd: the key changed under each of " + ROUNDS
                + " attempts", null);
    }

    /** The connection's own key under a shared claim: it explains the shared key while it exists. */
    private static Claim member(Claim shared, String connectionId) {
        return new Claim(MEMBERS + shared.pool() + "/" + shared.value(), connectionId);
    }

    private static boolean isMember(Claim c) {
        return c.pool().startsWith(MEMBERS);
    }

    private void releaseMembers(String connectionId, List<Claim> shared) {
        releaseOwn(connectionId, shared.stream().map(c -> member(c, connectionId)).toList());
    }

    private Set<Claim> claimOwn(String connectionId, List<Claim> claims) {
        byte[] id = connectionId.getBytes(StandardCharsets.UTF_8);
        Map<String, Claim> pending = new LinkedHashMap<>();
        claims.forEach(c -> pending.put(key(c), c));
        try {
            for (int round = 0; round < ROUNDS && !pending.isEmpty(); round++) {
                List<Entry> existing = client.createAllIfAbsent(List.copyOf(pending.keySet()), id);
                if (existing.isEmpty()) {
                    return Set.of();
                }
                Set<Claim> refused = new LinkedHashSet<>();
                for (Entry e : existing) {
                    Claim c = pending.remove(e.key());
                    if (c != null && !e.sameValue(id)) {
                        refused.add(c);
                    }
                }
                if (!refused.isEmpty()) {
                    return refused; // this call created nothing
                }
            }
        } catch (EtcdException e) {
            throw new StoreException("cannot claim " + claims + " in etcd: " + e.getMessage(), e);
        }
        if (pending.isEmpty()) {
            return Set.of();
        }
        throw new StoreException("cannot claim " + claims + " in etcd: the keys changed under each of " + ROUNDS
                + " attempts; nothing was claimed", null);
    }

    /**
     * Deletes each key only while it still names the connection; of a shared claim the
     * connection's member key, then the shared key if no member is left and nobody re-wrote it
     * since it was read (read before the members, so a member made in between is seen).
     */
    @Override
    public void release(String connectionId, List<Claim> claims) {
        if (waiting != null) {
            waiting.drop(connectionId);
        }
        releaseOwn(connectionId, claims.stream().filter(c -> !c.shared()).toList());
        for (Claim c : claims) {
            if (c.shared()) {
                releaseOwn(connectionId, List.of(member(c, connectionId)));
                releaseIfUnheld(c);
            }
        }
    }

    private void releaseIfUnheld(Claim c) {
        String key = key(c);
        try {
            java.util.Optional<Entry> now = client.get(key);
            if (now.isEmpty() || !now.get().sameValue(c.holder().getBytes(StandardCharsets.UTF_8))) {
                return;
            }
            if (!client.keys(membersOf(key)).isEmpty()) {
                return;
            }
            if (client.ifModRevision(key, now.get().modRevision(), List.of(new io.ensm.store.etcd.client.Write.Delete(key)))
                    instanceof io.ensm.store.etcd.client.TxnOutcome.Done) {
                log.info("event=shared-claim-released claim={} holder={}", key.substring(prefix.length()), c.holder());
            }
        } catch (EtcdException e) {
            log.warn("event=claim-release-failed claim={} holder={} reason=\"{}\"", key, c.holder(), e.getMessage());
        }
    }

    /** Where the member keys of the shared key are. */
    private String membersOf(String sharedKey) {
        return prefix + MEMBERS + sharedKey.substring(prefix.length()) + "/";
    }

    private void releaseOwn(String connectionId, List<Claim> claims) {
        byte[] id = connectionId.getBytes(StandardCharsets.UTF_8);
        for (Claim c : claims) {
            try {
                client.get(key(c)).filter(e -> e.sameValue(id)).ifPresent(e -> client.ifModRevision(key(c), e.modRevision(),
                        List.of(new io.ensm.store.etcd.client.Write.Delete(key(c)))));
            } catch (EtcdException e) {
                // Left for the store's sweep of claims no connection explains.
                log.warn("event=claim-release-failed claim={} connection={} reason=\"{}\"",
                        key(c), connectionId, e.getMessage());
            }
        }
    }

    /**
     * Reads the claims first and the connection keys after, so a record stored in between counts;
     * deletes only a claim whose mod revision is still the one the earlier sweep saw.
     */
    @Override
    public synchronized int sweep(java.time.Duration grace) {
        List<Entry> held;
        java.util.Set<String> stored = new java.util.HashSet<>();
        try {
            held = client.range(prefix).entries();
            client.keys(connections).forEach(k -> stored.add(k.substring(connections.length())));
        } catch (EtcdException e) {
            log.warn("event=claim-sweep-failed reason=\"{}\"", e.getMessage());
            return 0;
        }
        long now = System.nanoTime();
        java.util.Set<String> seen = new java.util.HashSet<>();
        int deleted = 0;
        // A shared key is explained while a member key is under it; members by their connection.
        java.util.Set<String> sharedWithMembers = new java.util.HashSet<>();
        for (Entry e : held) {
            if (e.key().startsWith(prefix + MEMBERS)) {
                String under = e.key().substring((prefix + MEMBERS).length());
                sharedWithMembers.add(prefix + under.substring(0, under.lastIndexOf('/')));
            }
        }
        for (Entry e : held) {
            if (stored.contains(e.valueUtf8()) || sharedWithMembers.contains(e.key())) {
                continue;
            }
            seen.add(e.key());
            Suspect before = suspects.get(e.key());
            if (before == null || before.modRevision() != e.modRevision()) {
                suspects.put(e.key(), new Suspect(e.modRevision(), now));
            } else if (now - before.since() >= grace.toNanos()) {
                try {
                    if (client.ifModRevision(e.key(), e.modRevision(), List.of(new io.ensm.store.etcd.client.Write.Delete(e.key())))
                            instanceof io.ensm.store.etcd.client.TxnOutcome.Done) {
                        deleted++;
                        log.info("event=claim-swept claim={} connection={}",
                                e.key().substring(prefix.length()), e.valueUtf8());
                    }
                } catch (EtcdException x) {
                    log.warn("event=claim-sweep-failed claim={} reason=\"{}\"",
                            e.key(), x.getMessage());
                }
                seen.remove(e.key());
                suspects.remove(e.key());
            }
        }
        suspects.keySet().retainAll(seen);
        return deleted;
    }

    String key(Claim c) {
        return prefix + c.pool() + "/" + c.value();
    }
}
