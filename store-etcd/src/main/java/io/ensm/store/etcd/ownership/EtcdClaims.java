package io.ensm.store.etcd.ownership;

import io.ensm.core.alloc.Claims;
import io.ensm.core.store.StoreException;
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

    private final EtcdClient client;
    private final String prefix;
    private final String connections;
    /** Claims the last sweeps found unexplained, by key: as they were then, and since when. */
    private final Map<String, Suspect> suspects = new java.util.concurrent.ConcurrentHashMap<>();

    private record Suspect(long modRevision, long since) {}

    /** @param base the cluster's key prefix, ending with {@code /} */
    public EtcdClaims(EtcdClient client, String base) {
        this.client = client;
        this.prefix = base + "claims/";
        this.connections = base + "connections/";
    }

    /**
     * All keys in one transaction that creates them only if none exists, so the result is all or
     * none as {@link Claims} asks and a new connection costs one etcd commit however many values
     * it claims. Keys found naming this connection already are its own; the others are created in
     * the next round.
     */
    @Override
    public Set<Claim> claim(String connectionId, List<Claim> claims) {
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

    /** Deletes each key only while it still names the connection. */
    @Override
    public void release(String connectionId, List<Claim> claims) {
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
        for (Entry e : held) {
            if (stored.contains(e.valueUtf8())) {
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
