package io.ensm.store.etcd;

import io.ensm.core.alloc.Claims;
import io.ensm.core.alloc.ClaimsRefused;
import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;
import io.ensm.store.etcd.client.Entry;
import io.ensm.store.etcd.client.Fence;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdException;
import io.ensm.store.etcd.client.TxnOutcome;
import io.ensm.store.etcd.client.Write;
import io.ensm.store.etcd.record.QuarantinedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@link ConnectionStore} in etcd: each connection one key, {@code <prefix>/<cluster>/connections/<id>},
 * holding a {@code ConnectionRecord}.
 *
 * <p>Durable when a call returns: etcd has committed the write on a majority of its members.
 * Every write is a compare-and-swap on the key's modification revision (the revision of the
 * record as this store last wrote or read it, so a write needs no read first), sent again on another
 * member when the first may have failed on its way back; the compare makes the repeat a no-op,
 * and a key found holding the value written shows that an earlier attempt applied it. A write
 * that fails throws {@link StoreException} and leaves the key as it was. The one case where that
 * cannot be known is etcd answering nothing for the whole deadline after a write was sent: the
 * exception then says the outcome is unknown, and the write, if it applies later, applies only
 * onto the record it was meant to replace.
 *
 * <p>A record that cannot be read is moved, bytes as found, to
 * {@code <prefix>/<cluster>/quarantine/<id>} by {@link #loadAll} (in one transaction, only if it
 * has not changed meanwhile), logged and left out. {@code <prefix>/<cluster>/meta/held-connection}
 * remembers that the store has held a connection.
 */
public final class EtcdConnectionStore implements ConnectionStore {
    private static final Logger log = LoggerFactory.getLogger(EtcdConnectionStore.class);
    /** Rounds of compare-and-swap when others change a key between our read and our write. */
    private static final int ROUNDS = 5;
    /** Refreshes per transaction: two operations each (a compare, a put), within etcd's default of 128. */
    public static final int REFRESHES_PER_COMMIT = 48;

    private final EtcdClient client;
    private final boolean ownsClient;
    private final Clock clock;
    private final String base;
    private final String connections;
    private final String quarantine;
    private final String held;
    /** The fence a write of an endpoint's connection must carry; null: unfenced (a store no replicas share). */
    private final Function<String, Optional<Fence>> fences;
    /**
     * Each key as this store last wrote or read it: what a write compares against instead of
     * reading the key first. Only a guess: the compare-and-swap checks it, and a key another writer
     * changed comes back as Changed with what it holds now, so nothing is overwritten blindly.
     * Dropped for a key whose write had an unknown outcome or was fenced.
     */
    private final Map<String, Entry> known = new ConcurrentHashMap<>();
    private final WaitingClaims waiting;
    private volatile boolean heldConnection;
    private volatile boolean closed;

    /**
     * @param prefix  the key prefix of every ensm cluster, e.g. {@code /ensm}
     * @param cluster this ensm cluster's name: a key segment, no {@code /}
     * @param owns    whether {@link #close} closes the client
     */
    public EtcdConnectionStore(EtcdClient client, String prefix, String cluster, boolean owns, Clock clock) {
        this(client, prefix, cluster, owns, clock, null);
    }

    /**
     * @param fences the fence of each endpoint this replica holds: every write of a connection of
     *               the endpoint is made only while it holds (and is refused without it), so a
     *               replica that lost the endpoint cannot overwrite the records of its successor
     */
    public EtcdConnectionStore(EtcdClient client, String prefix, String cluster, boolean owns, Clock clock,
                               Function<String, Optional<Fence>> fences) {
        this(client, prefix, cluster, owns, clock, fences, null);
    }

    /**
     * @param waiting claims that wait for their connection's next record write, which creates
     *                them in its own transaction (null: no claims ride on records)
     */
    public EtcdConnectionStore(EtcdClient client, String prefix, String cluster, boolean owns, Clock clock,
                               Function<String, Optional<Fence>> fences, WaitingClaims waiting) {
        if (cluster == null || cluster.isBlank() || cluster.contains("/")) {
            throw new IllegalArgumentException("ensm cluster name '" + cluster + "' must be a non-empty key segment without '/'");
        }
        String p = prefix == null ? "" : prefix.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        this.client = client;
        this.fences = fences;
        this.waiting = waiting;
        this.ownsClient = owns;
        this.clock = clock;
        this.base = p + "/" + cluster + "/";
        this.connections = base + "connections/";
        this.quarantine = base + "quarantine/";
        this.held = base + "meta/held-connection";
        try {
            this.heldConnection = client.get(held).isPresent();
        } catch (EtcdException e) {
            throw new StoreException("cannot open the connection store in etcd " + base + ": " + e.getMessage(), e);
        }
    }

    public EtcdConnectionStore(EtcdClient client, String prefix, String cluster) {
        this(client, prefix, cluster, false, Clock.systemUTC());
    }

    /** The keys of this store start with this text. */
    public String base() {
        return base;
    }

    @Override
    public void put(StoredConnection connection) {
        ensureOpen();
        String id = connection.id();
        byte[] value;
        try {
            value = ConnectionRecords.encode(connection);
        } catch (IllegalArgumentException e) {
            throw new StoreException("writing connection " + id + " in etcd " + base + " failed: " + e.getMessage(), e);
        }
        Map<String, Claims.Claim> claims = waiting == null ? Map.of() : waiting.take(id);
        swap("writing connection " + id, key(id), connection.endpoint(), false, claims(id, claims), current -> value);
        if (!heldConnection) {
            rememberHeldConnection();
        }
    }

    @Override
    public void refresh(String id, Instant expires, byte[] connection) {
        ensureOpen();
        swap("refreshing connection " + id, key(id), null, true, Carried.NONE, current -> {
            if (current == null) {
                return null; // unknown id: nothing to do
            }
            StoredConnection stored;
            try {
                stored = ConnectionRecords.decode(current.value());
            } catch (RuntimeException e) {
                throw new StoreException("refreshing connection " + id + " in etcd " + base + " failed: its record is unreadable: "
                        + e.getMessage(), e);
            }
            return ConnectionRecords.encode(stored.refreshed(expires, connection));
        });
    }

    /**
     * Refreshes whose records this store last wrote or read go in transactions of up to
     * {@value #REFRESHES_PER_COMMIT}, each comparing every record's revision and every endpoint's
     * fence: one commit for many refreshes. A transaction refused by any compare writes nothing and
     * its refreshes are then written one by one, as are refreshes of records not known here, so
     * each ends as {@link #refresh} would leave it.
     */
    @Override
    public java.util.Map<String, StoreException> refreshAll(List<StoredConnection> refreshed) {
        ensureOpen();
        java.util.Map<String, StoreException> failed = new LinkedHashMap<>();
        List<StoredConnection> alone = new ArrayList<>();
        for (int from = 0; from < refreshed.size(); from += REFRESHES_PER_COMMIT) {
            List<StoredConnection> chunk = refreshed.subList(from, Math.min(refreshed.size(), from + REFRESHES_PER_COMMIT));
            java.util.Map<String, Long> revisions = new LinkedHashMap<>();
            java.util.Map<String, Fence> fences = new LinkedHashMap<>();
            java.util.Map<String, byte[]> values = new LinkedHashMap<>();
            List<StoredConnection> together = new ArrayList<>();
            for (StoredConnection c : chunk) {
                String key = key(c.id());
                Entry current = known.get(key);
                byte[] value = current == null ? null : refreshedValue(current, c);
                if (value == null) {
                    alone.add(c);
                    continue;
                }
                try {
                    Fence fence = fenceFor("refreshing connection " + c.id(), c.endpoint());
                    if (fence != null) {
                        fences.putIfAbsent(fence.key(), fence);
                    }
                } catch (StoreException notHeld) {
                    failed.put(c.id(), notHeld);
                    continue;
                }
                revisions.put(key, current.modRevision());
                values.put(key, value);
                together.add(c);
            }
            if (together.size() < 2) {
                alone.addAll(together);
                continue;
            }
            List<Write> writes = new ArrayList<>();
            values.forEach((key, value) -> writes.add(new Write.Put(key, value, 0)));
            try {
                java.util.OptionalLong revision = client.ifModRevisions(revisions, fences.values(), writes);
                if (revision.isPresent()) {
                    values.forEach((key, value) -> remember(key, value, revision.getAsLong()));
                } else {
                    alone.addAll(together);
                }
            } catch (EtcdException e) {
                revisions.keySet().forEach(known::remove); // applied or not: read the keys next time
                together.forEach(c -> failed.put(c.id(), failure("refreshing connection " + c.id(), e)));
            }
        }
        failed.putAll(ConnectionStore.super.refreshAll(alone));
        return failed;
    }

    /** The record of {@code current} with the refresh applied, or null when it cannot be read. */
    private static byte[] refreshedValue(Entry current, StoredConnection refresh) {
        try {
            return ConnectionRecords.encode(ConnectionRecords.decode(current.value()).refreshed(refresh.expires(), refresh.connection()));
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    @Override
    public void delete(String id) {
        ensureOpen();
        swap("deleting connection " + id, key(id), null, true, Carried.NONE, current -> null);
    }

    @Override
    public void confirmHold(String endpoint) {
        ensureOpen();
        Fence fence = fenceFor("checking the hold of endpoint '" + endpoint + "'", endpoint);
        if (fence == null) {
            return;
        }
        boolean holds;
        try {
            holds = client.holds(fence);
        } catch (EtcdException e) {
            throw failure("checking the hold of endpoint '" + endpoint + "'", e);
        }
        if (!holds) {
            throw new StoreException("this replica no longer holds endpoint '" + endpoint + "' (its owner key " + fence.key()
                    + " is gone or was created again); its device is left to the replica that holds it", null);
        }
    }

    @Override
    public Optional<StoredConnection> get(String id) {
        ensureOpen();
        Optional<Entry> entry;
        try {
            entry = client.get(key(id));
        } catch (EtcdException e) {
            throw failure("reading connection " + id, e);
        }
        entry.ifPresent(e -> known.put(e.key(), e));
        return entry.map(e -> read(e, id));
    }

    @Override
    public List<StoredConnection> loadAll() {
        ensureOpen();
        List<Entry> entries;
        try {
            entries = client.range(connections).entries();
        } catch (EtcdException e) {
            throw failure("loading connections", e);
        }
        List<StoredConnection> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            try {
                out.add(ConnectionRecords.decode(e.value()));
                known.put(e.key(), e);
            } catch (ConnectionRecords.NewerFormatException newer) {
                throw new StoreException("connection " + e.key() + " in etcd " + base + ": " + newer.getMessage(), newer);
            } catch (RuntimeException damaged) {
                setAside(e, printable(damaged.getMessage()));
            }
        }
        Set<String> set = quarantined();
        if (!set.isEmpty()) {
            log.warn("event=store-quarantine-present store=etcd prefix={} records={} reason=\"unreadable connection records set aside"
                    + " under {}; inspect them with etcdctl get --prefix and delete them once handled\"", base, set.size(), quarantine);
        }
        return out;
    }

    @Override
    public Set<String> quarantined() {
        ensureOpen();
        try {
            Set<String> ids = new LinkedHashSet<>();
            for (Entry e : client.range(quarantine).entries()) {
                ids.add(printable(e.key().substring(quarantine.length())));
            }
            return ids;
        } catch (EtcdException e) {
            throw failure("reading the quarantine", e);
        }
    }

    @Override
    public boolean hasHeldConnections() {
        return heldConnection;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsClient) {
            client.close();
        }
    }

    /** Claims a record write creates with the record: each by its etcd key, for this connection. */
    private record Carried(String connectionId, Map<String, Claims.Claim> byKey) {
        static final Carried NONE = new Carried("", Map.of());
    }

    private static Carried claims(String connectionId, Map<String, Claims.Claim> byKey) {
        return byKey.isEmpty() ? Carried.NONE : new Carried(connectionId, byKey);
    }

    /**
     * Sets the key to what {@code next} makes of its current entry (null: absent), or deletes it
     * when {@code next} gives null, by compare-and-swap on its modification revision. The current
     * entry is the one this store last wrote or read; for a key it has not seen, {@code readOnMiss}
     * reads it first, otherwise it is taken as absent (a new connection). A key that is not as
     * taken is given back by the swap itself, and the swap is made anew on what it holds.
     * {@code carried} claims are created in the same transaction, only where absent: keys found
     * naming the connection are its own already, any other refuses the write (ClaimsRefused).
     */
    private void swap(String what, String key, String endpoint, boolean readOnMiss, Carried carried, Function<Entry, byte[]> next) {
        Map<String, Claims.Claim> claims = new LinkedHashMap<>(carried.byKey());
        byte[] claimant = carried.connectionId().getBytes(StandardCharsets.UTF_8);
        try {
            Entry current = known.get(key);
            if (current == null && readOnMiss) {
                current = client.get(key).orElse(null);
            }
            for (int round = 0; round < ROUNDS; round++) {
                byte[] value = next.apply(current);
                if (value == null && current == null && claims.isEmpty()) {
                    return; // a delete or a refresh of an unknown id: nothing there
                }
                long expected = current == null ? 0 : current.modRevision();
                List<Write> writes = new ArrayList<>(value == null ? List.of(new Write.Delete(key)) : List.of(new Write.Put(key, value, 0)));
                claims.keySet().forEach(k -> writes.add(new Write.Put(k, claimant, 0)));
                Fence fence = fenceFor(what, endpoint != null ? endpoint : endpointOf(current));
                switch (client.ifModRevision(fence, key, expected, writes, List.copyOf(claims.keySet()))) {
                    case TxnOutcome.Done d -> {
                        remember(key, value, d.revision());
                        return;
                    }
                    case TxnOutcome.Fenced f -> {
                        known.remove(key);
                        throw new StoreException(what + " in etcd " + base + " refused: this replica no"
                                + " longer holds the endpoint (its owner key " + f.fence().key() + " is "
                                + (f.currentToken() == 0 ? "gone" : "at fence " + f.currentToken() + ", not " + f.fence().createRevision())
                                + "); nothing was written", null);
                    }
                    case TxnOutcome.Taken t -> {
                        Set<Claims.Claim> refused = new LinkedHashSet<>();
                        for (Entry e : t.present()) {
                            Claims.Claim c = claims.remove(e.key());
                            if (c != null && !e.sameValue(claimant)) {
                                refused.add(c);
                            }
                        }
                        remember(key, t.current());
                        if (!refused.isEmpty()) {
                            log.debug("event=claims-refused store=etcd connection={} values={}", carried.connectionId(), refused);
                            throw new ClaimsRefused(carried.connectionId(), refused);
                        }
                        // Only keys of this connection: an earlier attempt of this write may have made them with the record.
                        if (value != null && t.current() != null && t.current().sameValue(value)) {
                            return;
                        }
                        current = t.current();
                    }
                    case TxnOutcome.Changed c -> {
                        Entry now = c.current();
                        remember(key, now);
                        // A repeat that finds the key as this write leaves it: an earlier attempt applied it.
                        if (value == null ? now == null : now != null && now.sameValue(value)) {
                            return;
                        }
                        current = now;
                    }
                    case TxnOutcome other -> throw new IllegalStateException("unexpected outcome " + other);
                }
            }
            throw new StoreException(what + " in etcd " + base + " failed: the record changed under each of " + ROUNDS
                    + " attempts (another writer?); nothing was written", null);
        } catch (EtcdException e) {
            known.remove(key); // the write may or may not have applied: read the key next time
            throw failure(what, e);
        }
    }

    /** The key as a successful write left it: {@code value} (null: deleted) at {@code revision}. */
    private void remember(String key, byte[] value, long revision) {
        remember(key, value == null ? null : new Entry(key, value, 0, revision, 0, 0));
    }

    private void remember(String key, Entry entry) {
        if (entry == null) {
            known.remove(key);
        } else {
            known.put(key, entry);
        }
    }

    /** The fence of the endpoint, when writes are fenced; refused at once when this replica does not hold it. */
    private Fence fenceFor(String what, String endpoint) {
        if (fences == null || endpoint == null) {
            return null;
        }
        return fences.apply(endpoint).orElseThrow(() -> new StoreException(what + " in etcd " + base
                + " refused: this replica does not hold endpoint '" + endpoint + "' now; nothing was written", null));
    }

    /** The endpoint of a stored record, or null when there is none or it cannot be read. */
    private static String endpointOf(Entry current) {
        if (current == null) {
            return null;
        }
        try {
            return ConnectionRecords.decode(current.value()).endpoint();
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private StoredConnection read(Entry e, String id) {
        try {
            return ConnectionRecords.decode(e.value());
        } catch (RuntimeException damaged) {
            throw new StoreException("connection " + id + " in etcd " + base + " is unreadable: " + printable(damaged.getMessage()), damaged);
        }
    }

    /** Moves an unreadable record to the quarantine, only if it has not changed since it was read. */
    private void setAside(Entry e, String reason) {
        String id = printable(e.key().substring(connections.length()));
        String to = quarantine + e.key().substring(connections.length());
        byte[] record = QuarantinedRecord.newBuilder().setKey(e.key()).setReason(reason).setQuarantinedMs(clock.millis())
                .setRaw(com.google.protobuf.ByteString.copyFrom(e.value())).build().toByteArray();
        try {
            TxnOutcome outcome = client.ifModRevision(e.key(), e.modRevision(), List.of(new Write.Put(to, record, 0), new Write.Delete(e.key())));
            if (outcome instanceof TxnOutcome.Done) {
                log.error("event=store-record-quarantined store=etcd prefix={} connection={} key={} reason=\"{}\"", base, id, to, reason);
            } else {
                log.warn("event=store-record-unreadable store=etcd prefix={} connection={} kept=in-place reason=\"{}\""
                        + " move_skipped=\"the record changed while it was being set aside\"", base, id, reason);
            }
        } catch (EtcdException failed) {
            log.error("event=store-record-unreadable store=etcd prefix={} connection={} kept=in-place reason=\"{}\" move_failed=\"{}\"",
                    base, id, reason, printable(failed.getMessage()));
        }
    }

    /** Once per store: a failure only means the next write tries again. */
    private void rememberHeldConnection() {
        try {
            client.createIfAbsent(held, Long.toString(clock.millis()).getBytes(StandardCharsets.UTF_8), 0);
            heldConnection = true;
        } catch (EtcdException e) {
            log.warn("event=store-meta-write-failed store=etcd key={} reason=\"{}\"", held, e.getMessage());
        }
    }

    private String key(String id) {
        if (id == null || id.isEmpty()) {
            throw new StoreException("a connection id must not be empty (store in etcd " + base + ")", null);
        }
        return connections + id;
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("connection store in etcd " + base + " is closed", null);
        }
    }

    private StoreException failure(String what, EtcdException e) {
        return new StoreException(what + " in etcd " + base + " failed (" + e.kind() + "): " + e.getMessage(), e);
    }

    /** Damaged text as one bounded printable line for logs and reasons. */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && b.length() < 200; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
        }
        return text.length() > 200 ? b.append("...").toString() : b.toString();
    }
}
