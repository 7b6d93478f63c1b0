package io.ensm.store.etcd.client;

import com.google.protobuf.ByteString;
import io.ensm.store.etcd.client.Calls.Retry;
import io.ensm.store.etcd.wire.CompactionRequest;
import io.ensm.store.etcd.wire.Compare;
import io.ensm.store.etcd.wire.DeleteRangeRequest;
import io.ensm.store.etcd.wire.KVGrpc;
import io.ensm.store.etcd.wire.KeyValue;
import io.ensm.store.etcd.wire.LeaseGrantRequest;
import io.ensm.store.etcd.wire.LeaseGrpc;
import io.ensm.store.etcd.wire.LeaseRevokeRequest;
import io.ensm.store.etcd.wire.LeaseTimeToLiveRequest;
import io.ensm.store.etcd.wire.LeaseTimeToLiveResponse;
import io.ensm.store.etcd.wire.MaintenanceGrpc;
import io.ensm.store.etcd.wire.PutRequest;
import io.ensm.store.etcd.wire.RangeRequest;
import io.ensm.store.etcd.wire.RangeResponse;
import io.ensm.store.etcd.wire.RequestOp;
import io.ensm.store.etcd.wire.StatusRequest;
import io.ensm.store.etcd.wire.StatusResponse;
import io.ensm.store.etcd.wire.TxnRequest;
import io.ensm.store.etcd.wire.TxnResponse;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ensm's client of etcd's v3 API over gRPC: reads, writes, the guarded transactions the store
 * needs, leases and watches, across the members of one cluster. Reads move to another member on
 * any transient failure; a plain write moves only when the failure proves it was not applied, and
 * otherwise fails with {@link EtcdException.Kind#OUTCOME_UNKNOWN}; the guarded writes repeat
 * safely because their compare makes a repeat a no-op or shows that it was theirs.
 *
 * <p>Every call has a deadline (the settings' call timeout, or the one given to
 * {@link #withTimeout}) and ends by it with a result or an {@link EtcdException}.
 */
public final class EtcdClient implements AutoCloseable {
    private static final int PAGE = 500;

    private final EtcdSettings settings;
    private final Members members;
    private final Calls calls;
    private final Duration timeout;

    private EtcdClient(EtcdSettings settings, Members members, Calls calls, Duration timeout) {
        this.settings = settings;
        this.members = members;
        this.calls = calls;
        this.timeout = timeout;
    }

    /** Channels to every member; no call is made yet (connections open on first use). */
    public static EtcdClient connect(EtcdSettings settings) {
        Members members = new Members(settings);
        return new EtcdClient(settings, members, new Calls(members, settings.attemptTimeout()), settings.callTimeout());
    }

    /** This client with another deadline per call. It shares the connections: closing either closes both. */
    public EtcdClient withTimeout(Duration callTimeout) {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("etcd call timeout must be positive, not " + callTimeout);
        }
        return new EtcdClient(settings, members, calls, callTimeout);
    }

    public EtcdSettings settings() {
        return settings;
    }

    public Duration timeout() {
        return timeout;
    }

    Members members() {
        return members;
    }

    Calls calls() {
        return calls;
    }

    // --- reads ------------------------------------------------------------------------------------

    /** The key's current value (a linearizable read), or empty. */
    public Optional<Entry> get(String key) {
        RangeRequest req = RangeRequest.newBuilder().setKey(Keys.bytes(key)).build();
        RangeResponse r = calls.run("get " + key, Retry.READ, timeout, (ch, d) -> kv(ch, d).range(req));
        return r.getKvsCount() == 0 ? Optional.empty() : Optional.of(Entry.of(r.getKvs(0)));
    }

    /** Every key under the prefix as of one revision, read in pages. */
    public Snapshot range(String prefix) {
        return range(prefix, PAGE);
    }

    Snapshot range(String prefix, int page) {
        List<Entry> out = new ArrayList<>();
        long revision = pages(prefix, page, false, kv -> out.add(Entry.of(kv)));
        return new Snapshot(out, revision);
    }

    /** The keys under the prefix as of one revision (values not read), in pages. */
    public List<String> keys(String prefix) {
        List<String> out = new ArrayList<>();
        pages(prefix, PAGE, true, kv -> out.add(kv.getKey().toStringUtf8()));
        return out;
    }

    /** Reads every key under the prefix in pages, all at the revision of the first; returns that revision. */
    private long pages(String prefix, int page, boolean keysOnly, java.util.function.Consumer<KeyValue> each) {
        ByteString end = Keys.prefixEnd(prefix);
        ByteString from = Keys.bytes(prefix);
        long revision = 0;
        while (true) {
            RangeRequest req = RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setLimit(page).setRevision(revision)
                    .setKeysOnly(keysOnly).build();
            RangeResponse r = calls.run((keysOnly ? "keys " : "range ") + prefix, Retry.READ, timeout, (ch, d) -> kv(ch, d).range(req));
            if (revision == 0) {
                revision = r.getHeader().getRevision();
            }
            r.getKvsList().forEach(each);
            if (!r.getMore() || r.getKvsCount() == 0) {
                return revision;
            }
            from = r.getKvs(r.getKvsCount() - 1).getKey().concat(ByteString.copyFrom(new byte[] {0}));
        }
    }

    /** The cluster's current revision. */
    public long revision() {
        RangeRequest req = RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0})).setCountOnly(true).build();
        return calls.run("revision", Retry.READ, timeout, (ch, d) -> kv(ch, d).range(req)).getHeader().getRevision();
    }

    // --- plain writes -------------------------------------------------------------------------------

    /** Writes the key; returns the revision. Not repeated after a failure that may have applied it. */
    public long put(String key, byte[] value) {
        return put(key, value, 0);
    }

    /** Writes the key bound to a lease (0: none); returns the revision. */
    public long put(String key, byte[] value, long lease) {
        PutRequest req = PutRequest.newBuilder().setKey(Keys.bytes(key)).setValue(ByteString.copyFrom(value)).setLease(lease).build();
        return calls.run("put " + key, Retry.ONCE, timeout, (ch, d) -> kv(ch, d).put(req)).getHeader().getRevision();
    }

    /** Deletes the key; returns whether it existed. */
    public boolean delete(String key) {
        DeleteRangeRequest req = DeleteRangeRequest.newBuilder().setKey(Keys.bytes(key)).build();
        return calls.run("delete " + key, Retry.ONCE, timeout, (ch, d) -> kv(ch, d).deleteRange(req)).getDeleted() > 0;
    }

    /** Deletes every key under the prefix; returns how many there were. */
    public long deletePrefix(String prefix) {
        DeleteRangeRequest req = DeleteRangeRequest.newBuilder().setKey(Keys.bytes(prefix)).setRangeEnd(Keys.prefixEnd(prefix)).build();
        return calls.run("delete prefix " + prefix, Retry.ONCE, timeout, (ch, d) -> kv(ch, d).deleteRange(req)).getDeleted();
    }

    /** Compacts the history up to the revision (tests of watches that start too early). */
    public void compact(long revision) {
        CompactionRequest req = CompactionRequest.newBuilder().setRevision(revision).setPhysical(true).build();
        calls.run("compact " + revision, Retry.REPEATABLE, timeout, (ch, d) -> kv(ch, d).compact(req));
    }

    // --- guarded writes ---------------------------------------------------------------------------

    /**
     * Creates the key only if it does not exist ({@code create_revision == 0}): {@link TxnOutcome.Done}
     * or {@link TxnOutcome.Exists}. Of several callers racing for one key exactly one gets Done.
     * After a failure that may have applied it, the call is repeated; a repeat that finds the key
     * with this value and lease counts as Done, so give each writer a value or lease of its own.
     */
    public TxnOutcome createIfAbsent(String key, byte[] value, long lease) {
        return fencedCreate(null, key, value, lease);
    }

    /**
     * Creates every key with the value only if none of them exists, as one transaction: an empty
     * list when it created them all, else the entries of the keys that exist (and nothing was
     * created). Repeated after a failure that may have applied it, like {@link #createIfAbsent}:
     * a repeat then finds every key with this value.
     */
    public List<Entry> createAllIfAbsent(List<String> keys, byte[] value) {
        if (keys.isEmpty()) {
            return List.of();
        }
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        ByteString v = ByteString.copyFrom(value);
        for (String key : keys) {
            txn.addCompare(createRevisionIs(key, 0))
                    .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(Keys.bytes(key)).setValue(v)))
                    .addFailure(readOp(key));
        }
        TxnRequest request = txn.build();
        TxnResponse r = calls.run("create " + keys.size() + " keys from " + keys.getFirst(), Retry.REPEATABLE, timeout,
                (ch, d) -> kv(ch, d).txn(request));
        if (r.getSucceeded()) {
            return List.of();
        }
        List<Entry> existing = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            RangeResponse range = r.getResponses(i).getResponseRange();
            if (range.getKvsCount() > 0) {
                existing.add(Entry.of(range.getKvs(0)));
            }
        }
        return existing;
    }

    /**
     * Creates the key only if it does not exist and the fence holds: Done, Exists or Fenced. The
     * write an owner makes to claim something (an address, a VLAN id) for its endpoint.
     */
    public TxnOutcome fencedCreate(Fence fence, String key, byte[] value, long lease) {
        ByteString k = Keys.bytes(key);
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        if (fence != null) {
            txn.addCompare(createRevisionIs(fence.key(), fence.createRevision()));
        }
        txn.addCompare(createRevisionIs(key, 0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(k)
                        .setValue(ByteString.copyFrom(value)).setLease(lease)));
        if (fence != null) {
            txn.addFailure(readOp(fence.key()));
        }
        txn.addFailure(readOp(key));
        AtomicInteger attempts = new AtomicInteger();
        TxnResponse r = calls.run((fence == null ? "create " : "fenced create ") + key, Retry.REPEATABLE, timeout, (ch, d) -> {
            attempts.incrementAndGet();
            return kv(ch, d).txn(txn.build());
        });
        if (r.getSucceeded()) {
            return new TxnOutcome.Done(r.getHeader().getRevision());
        }
        int i = 0;
        if (fence != null) {
            TxnOutcome.Fenced fenced = fenced(fence, r.getResponses(i++).getResponseRange());
            if (fenced != null) {
                return fenced;
            }
        }
        RangeResponse current = r.getResponses(i).getResponseRange();
        if (current.getKvsCount() == 0) {
            // The reads run in the transaction's revision: a failed compare shows in them.
            throw new IllegalStateException("etcd create " + key + ": the compare failed, yet the key is absent and the fence holds");
        }
        Entry existing = Entry.of(current.getKvs(0));
        if (attempts.get() > 1 && existing.sameValue(value) && existing.lease() == lease) {
            // An earlier attempt that failed on its way back did create it.
            return new TxnOutcome.Done(existing.modRevision());
        }
        return new TxnOutcome.Exists(existing);
    }

    /** Writes the key (bound to the lease, 0: none) only while the fence holds: Done or Fenced. */
    public TxnOutcome fencedPut(Fence fence, String key, byte[] value, long lease) {
        RequestOp put = RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(Keys.bytes(key))
                .setValue(ByteString.copyFrom(value)).setLease(lease)).build();
        return fenced("fenced put " + key, fence, put);
    }

    /** Deletes the key only while the fence holds: Done (also when the key was absent) or Fenced. */
    public TxnOutcome fencedDelete(Fence fence, String key) {
        RequestOp delete = RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(Keys.bytes(key))).build();
        return fenced("fenced delete " + key, fence, delete);
    }

    /**
     * Applies the writes only if the key is still at this modification revision (0: absent), as
     * one transaction: {@link TxnOutcome.Done} or {@link TxnOutcome.Changed} with what the key
     * holds now. Repeated after a failure that may have applied it: the compare makes a repeat a
     * no-op, so a Changed that shows the caller's own value means an earlier attempt applied it.
     */
    public TxnOutcome ifModRevision(String key, long modRevision, List<Write> writes) {
        return ifModRevision(null, key, modRevision, writes);
    }

    /**
     * As {@link #ifModRevision(String, long, List)}, and only while the fence holds (null: no
     * fence): {@link TxnOutcome.Fenced} when its owner key is gone or was created again.
     */
    public TxnOutcome ifModRevision(Fence fence, String key, long modRevision, List<Write> writes) {
        return ifModRevision(fence, key, modRevision, writes, List.of());
    }

    /**
     * As {@link #ifModRevision(Fence, String, long, List)}, and only while none of the keys in
     * {@code absent} exists ({@code create_revision == 0}, as {@link #createAllIfAbsent} asks):
     * {@link TxnOutcome.Taken} when one does, with every one that does, checked after the fence.
     * Writes that create those keys go in {@code writes}: one commit for a record and the values
     * it claims.
     */
    public TxnOutcome ifModRevision(Fence fence, String key, long modRevision, List<Write> writes, List<String> absent) {
        TxnRequest.Builder txn = TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(Keys.bytes(key))
                .setTarget(Compare.CompareTarget.MOD).setResult(Compare.CompareResult.EQUAL).setModRevision(modRevision));
        if (fence != null) {
            txn.addCompare(createRevisionIs(fence.key(), fence.createRevision()));
        }
        for (String k : absent) {
            txn.addCompare(createRevisionIs(k, 0));
        }
        for (Write w : writes) {
            txn.addSuccess(switch (w) {
                case Write.Put p -> RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(Keys.bytes(p.key()))
                        .setValue(ByteString.copyFrom(p.value())).setLease(p.lease()));
                case Write.Delete d -> RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(Keys.bytes(d.key())));
            });
        }
        txn.addFailure(readOp(key));
        if (fence != null) {
            txn.addFailure(readOp(fence.key()));
        }
        absent.forEach(k -> txn.addFailure(readOp(k)));
        TxnRequest request = txn.build();
        TxnResponse r = calls.run((fence == null ? "write " : "fenced write ") + key + " at revision " + modRevision
                        + (absent.isEmpty() ? "" : " creating " + absent.size() + " keys"), Retry.REPEATABLE,
                timeout, (ch, d) -> kv(ch, d).txn(request));
        if (r.getSucceeded()) {
            return new TxnOutcome.Done(r.getHeader().getRevision());
        }
        if (fence != null) {
            TxnOutcome.Fenced fenced = fenced(fence, r.getResponses(1).getResponseRange());
            if (fenced != null) {
                return fenced;
            }
        }
        RangeResponse read = r.getResponses(0).getResponseRange();
        Entry current = read.getKvsCount() == 0 ? null : Entry.of(read.getKvs(0));
        List<Entry> present = new ArrayList<>();
        for (int i = fence == null ? 1 : 2; i < r.getResponsesCount(); i++) {
            RangeResponse claimed = r.getResponses(i).getResponseRange();
            if (claimed.getKvsCount() > 0) {
                present.add(Entry.of(claimed.getKvs(0)));
            }
        }
        return present.isEmpty() ? new TxnOutcome.Changed(current) : new TxnOutcome.Taken(current, present);
    }

    /**
     * Writes {@code writes} in one commit only while every key of {@code modRevisions} is at its
     * mod revision and every fence holds; returns the commit's revision, or empty when a compare
     * failed and nothing was written. The caller learns which one by writing each key alone.
     */
    public java.util.OptionalLong ifModRevisions(java.util.Map<String, Long> modRevisions, java.util.Collection<Fence> fences,
                                                 List<Write> writes) {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        modRevisions.forEach((key, revision) -> txn.addCompare(Compare.newBuilder().setKey(Keys.bytes(key))
                .setTarget(Compare.CompareTarget.MOD).setResult(Compare.CompareResult.EQUAL).setModRevision(revision)));
        fences.forEach(f -> txn.addCompare(createRevisionIs(f.key(), f.createRevision())));
        for (Write w : writes) {
            txn.addSuccess(switch (w) {
                case Write.Put p -> RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(Keys.bytes(p.key()))
                        .setValue(ByteString.copyFrom(p.value())).setLease(p.lease()));
                case Write.Delete d -> RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(Keys.bytes(d.key())));
            });
        }
        TxnRequest request = txn.build();
        TxnResponse r = calls.run("write of " + writes.size() + " keys at their revisions", Retry.REPEATABLE, timeout,
                (ch, d) -> kv(ch, d).txn(request));
        return r.getSucceeded() ? java.util.OptionalLong.of(r.getHeader().getRevision()) : java.util.OptionalLong.empty();
    }

    /** Whether the fence holds now: a transaction that compares it and writes nothing, ordered with every write. */
    public boolean holds(Fence fence) {
        TxnRequest txn = TxnRequest.newBuilder().addCompare(createRevisionIs(fence.key(), fence.createRevision())).build();
        return calls.run("check fence " + fence.key(), Retry.REPEATABLE, timeout, (ch, d) -> kv(ch, d).txn(txn)).getSucceeded();
    }

    private TxnOutcome fenced(String operation, Fence fence, RequestOp op) {
        TxnRequest txn = TxnRequest.newBuilder().addCompare(createRevisionIs(fence.key(), fence.createRevision()))
                .addSuccess(op).addFailure(readOp(fence.key())).build();
        // A repeat is harmless: the same write under the same fence leaves the same state.
        TxnResponse r = calls.run(operation, Retry.REPEATABLE, timeout, (ch, d) -> kv(ch, d).txn(txn));
        if (r.getSucceeded()) {
            return new TxnOutcome.Done(r.getHeader().getRevision());
        }
        TxnOutcome.Fenced f = fenced(fence, r.getResponses(0).getResponseRange());
        return f != null ? f : new TxnOutcome.Fenced(fence, fence.createRevision());
    }

    private static TxnOutcome.Fenced fenced(Fence fence, RangeResponse owner) {
        long now = owner.getKvsCount() == 0 ? 0 : owner.getKvs(0).getCreateRevision();
        return now == fence.createRevision() ? null : new TxnOutcome.Fenced(fence, now);
    }

    private static Compare createRevisionIs(String key, long revision) {
        return Compare.newBuilder().setKey(Keys.bytes(key)).setTarget(Compare.CompareTarget.CREATE)
                .setResult(Compare.CompareResult.EQUAL).setCreateRevision(revision).build();
    }

    private static RequestOp readOp(String key) {
        return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(Keys.bytes(key))).build();
    }

    // --- leases -----------------------------------------------------------------------------------

    /** Grants a lease of this TTL (whole seconds, at least 1; etcd may raise it to its minimum). */
    public Lease grant(Duration ttl) {
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        LeaseGrantRequest req = LeaseGrantRequest.newBuilder().setTTL(seconds).build();
        // A repeat after a lost answer leaves at most an unused lease, which expires by itself.
        var r = calls.run("lease grant ttl=" + seconds + "s", Retry.REPEATABLE, timeout, (ch, d) -> lease(ch, d).leaseGrant(req));
        if (!r.getError().isEmpty()) {
            throw new EtcdException(EtcdException.Kind.REFUSED, "etcd lease grant refused: " + r.getError(), null);
        }
        return new Lease(r.getID(), Duration.ofSeconds(r.getTTL()));
    }

    /** Revokes the lease, deleting its keys; returns false when etcd no longer knew it. */
    public boolean revoke(long lease) {
        LeaseRevokeRequest req = LeaseRevokeRequest.newBuilder().setID(lease).build();
        try {
            calls.run("lease revoke " + Long.toHexString(lease), Retry.REPEATABLE, timeout, (ch, d) -> lease(ch, d).leaseRevoke(req));
            return true;
        } catch (EtcdException e) {
            if (e.kind() == EtcdException.Kind.REFUSED && e.getCause() instanceof StatusRuntimeException s
                    && s.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /** The lease's remaining time to live, or empty when it has expired or was revoked. */
    public Optional<Duration> timeToLive(long lease) {
        LeaseTimeToLiveRequest req = LeaseTimeToLiveRequest.newBuilder().setID(lease).build();
        LeaseTimeToLiveResponse r = calls.run("lease ttl " + Long.toHexString(lease), Retry.READ, timeout,
                (ch, d) -> lease(ch, d).leaseTimeToLive(req));
        return r.getTTL() < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(r.getTTL()));
    }

    /**
     * Grants a lease and keeps it alive until closed, with its state (valid, uncertain, lost)
     * for writers to follow; see {@link LeaseKeeper}.
     */
    public LeaseKeeper keepAlive(Duration ttl, LeaseKeeper.Listener listener) {
        long before = System.nanoTime();
        return LeaseKeeper.start(this, grant(ttl), before, listener);
    }

    // --- watches ----------------------------------------------------------------------------------

    /**
     * Watches every key under the prefix from a revision (0: from now), resuming on another member
     * when the stream breaks, without losing or repeating an event; see {@link Watch}.
     */
    public Watch watch(String prefix, long fromRevision, Watch.Listener listener) {
        return Watch.start(this, prefix, fromRevision, listener);
    }

    // --- members ----------------------------------------------------------------------------------

    /** The status of every member that answers within the attempt timeout; members that do not are left out. */
    public List<MemberStatus> statuses() {
        List<MemberStatus> out = new ArrayList<>();
        for (Members.Member m : members.all()) {
            try {
                StatusResponse r = MaintenanceGrpc.newBlockingStub(m.channel())
                        .withDeadline(Deadline.after(settings.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .status(StatusRequest.getDefaultInstance());
                out.add(new MemberStatus(m.uri().toString(), r.getHeader().getMemberId(), r.getLeader(), r.getRaftTerm(),
                        r.getRaftIndex(), r.getVersion(), r.getIsLearner()));
            } catch (StatusRuntimeException e) {
                // Down or cut off: not part of the answer.
            }
        }
        return out;
    }

    /** The client URL of the member that leads now, as the members that answer say. */
    public Optional<String> leader() {
        return statuses().stream().filter(MemberStatus::leader).map(MemberStatus::endpoint).findFirst();
    }

    /** How many auth tokens this client has obtained (0 without a user): one more after each one etcd refused. */
    public long tokensObtained() {
        return members.tokens() == null ? 0 : members.tokens().obtained();
    }

    /** The member calls go to now. */
    public String currentMember() {
        return members.current().uri().toString();
    }

    @Override
    public void close() {
        calls.close();
        members.close();
    }

    static KVGrpc.KVBlockingStub kv(io.grpc.Channel ch, Deadline d) {
        return KVGrpc.newBlockingStub(ch).withDeadline(d);
    }

    static LeaseGrpc.LeaseBlockingStub lease(io.grpc.Channel ch, Deadline d) {
        return LeaseGrpc.newBlockingStub(ch).withDeadline(d);
    }
}
