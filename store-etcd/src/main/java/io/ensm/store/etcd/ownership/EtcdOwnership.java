package io.ensm.store.etcd.ownership;

import io.ensm.core.replica.Ownership;
import io.ensm.core.replica.Rendezvous;
import io.ensm.store.etcd.client.Entry;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdException;
import io.ensm.store.etcd.client.Fence;
import io.ensm.store.etcd.client.LeaseKeeper;
import io.ensm.store.etcd.client.Snapshot;
import io.ensm.store.etcd.client.TxnOutcome;
import io.ensm.store.etcd.client.Watch;
import io.ensm.store.etcd.client.WatchEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Which replica holds which endpoint, kept in etcd.
 *
 * <p>Each replica keeps a lease alive ({@link LeaseKeeper}) and, bound to it, its member key
 * {@code <base>members/<replica>} (value: its URL). An endpoint is held through its owner key
 * {@code <base>owners/<endpoint>} (value: the replica), created only where absent and bound to
 * the holder's lease: when a replica dies its keys vanish with its lease and the others take its
 * endpoints. The owner key's create revision is the hold's fence. Which replica should hold an
 * endpoint is decided by rendezvous hashing over the live members, so a replica that joins or
 * leaves moves only its share; a holder that is no longer the choice gives the endpoint up (stops
 * serving it, then deletes its owner key, fenced) and the chosen replica creates the key anew.
 *
 * <p>A replica writes nothing while its lease is uncertain (no renewal for TTL/2): it reports
 * every hold lost at once. Owner keys still bound to its lease are taken back when the lease is
 * renewed in time; a lost lease is replaced by a new one and the replica starts over.
 *
 * <p>Every decision runs on one thread; the listener hears of holds on that thread.
 */
public final class EtcdOwnership implements Ownership {
    private static final Logger log = LoggerFactory.getLogger(EtcdOwnership.class);

    private final EtcdClient client;
    private final Replica self;
    private final Duration ttl;
    private final String members;
    private final String owners;
    private final ScheduledExecutorService loop;

    // Read from any thread.
    private final Map<String, Long> held = new ConcurrentHashMap<>();
    private final Map<String, String> memberUrls = new ConcurrentHashMap<>();
    private final Map<String, String> ownerOf = new ConcurrentHashMap<>();
    private volatile LeaseKeeper.State leaseState = LeaseKeeper.State.LOST;
    private volatile boolean closed;

    // Loop thread only.
    private final Set<String> followed = new LinkedHashSet<>();
    /** Owner keys as last seen: create revision (the fence) and lease. */
    private final Map<String, Entry> ownerKeys = new HashMap<>();
    /** When each live member was first seen (nanoTime): a holder hands over only to a member that stayed a while. */
    private final Map<String, Long> seenSince = new HashMap<>();
    private Listener listener;
    private volatile LeaseKeeper keeper;
    private Watch memberWatch;
    private Watch ownerWatch;
    /** Counts joins: events of the watches of an earlier join are stale and dropped. */
    private int generation;

    /**
     * @param base the cluster's key prefix, ending with {@code /} (e.g. {@code /ensm/ensm-prod/})
     * @param ttl  the lease's time to live: a dead replica's endpoints move after about this long
     */
    public EtcdOwnership(EtcdClient client, String base, Replica self, Duration ttl) {
        this.client = client;
        this.self = self;
        this.ttl = ttl;
        this.members = base + "members/";
        this.owners = base + "owners/";
        this.loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ensm-ownership").daemon().factory());
    }

    @Override
    public void start(Collection<String> endpoints, Listener listener) {
        run(() -> {
            this.listener = listener;
            followed.addAll(endpoints);
            join();
            // A first pass that fails (a lease lost in a stall, etcd busy) is tried again by the
            // periodic check; only a replica that cannot join at all fails to start.
            guarded("first pass", this::rebalance);
        });
        long tick = Math.max(100, ttl.toMillis() / 3);
        loop.scheduleWithFixedDelay(() -> guarded("periodic check", () -> {
            if (keeper == null) {
                join(); // every earlier attempt failed: etcd was away when the last lease was lost
            }
            rebalance();
        }), tick, tick, TimeUnit.MILLISECONDS);
    }

    @Override
    public void add(String endpoint) {
        loop.execute(() -> guarded("add " + endpoint, () -> {
            followed.add(endpoint);
            rebalance();
        }));
    }

    @Override
    public void remove(String endpoint) {
        loop.execute(() -> guarded("remove " + endpoint, () -> {
            followed.remove(endpoint);
            if (held.containsKey(endpoint)) {
                giveUp(endpoint, "endpoint removed");
            } else if (ownedByThisLease(endpoint)) {
                // Our key from a hold an uncertain lease suspended: no pass looks at an endpoint we
                // no longer follow, so it would stay (and keep the others out) while our lease lives.
                long fence = ownerKeys.get(endpoint).createRevision();
                TxnOutcome r = client.fencedDelete(new Fence(owners + endpoint, fence), owners + endpoint);
                if (r instanceof TxnOutcome.Done) {
                    ownerGone(endpoint);
                }
                log.info("event=endpoint-given-up endpoint={} fence={} reason=\"endpoint removed while not held\" outcome={}", endpoint,
                        fence, r.getClass().getSimpleName());
            }
        }));
    }

    @Override
    public Optional<Hold> hold(String endpoint) {
        Long fence = held.get(endpoint);
        // The keeper's own verdict arrives on its threads; after a pause (SIGSTOP, GC) the caller may
        // run first, so the time since the last renewal is looked at here as well.
        LeaseKeeper k = keeper;
        boolean safe = leaseState == LeaseKeeper.State.VALID && k != null && !k.safeFor().isZero();
        return fence == null || !safe ? Optional.empty() : Optional.of(new Hold(endpoint, fence));
    }

    /** The fence store writes for the endpoint must carry, while this replica holds it. */
    public Optional<Fence> fence(String endpoint) {
        return hold(endpoint).map(h -> new Fence(owners + endpoint, h.fence()));
    }

    @Override
    public Optional<Replica> servedBy(String endpoint) {
        String replica = ownerOf.get(endpoint);
        if (replica == null) {
            return Optional.empty();
        }
        return Optional.of(new Replica(replica, memberUrls.getOrDefault(replica, "")));
    }

    @Override
    public Replica self() {
        return self;
    }

    @Override
    public boolean sole() {
        return false;
    }

    /** The live replicas and their URLs, as the member keys show them. */
    public Map<String, String> members() {
        return new TreeMap<>(memberUrls);
    }

    public LeaseKeeper.State leaseState() {
        return leaseState;
    }

    /** Gives every hold up and revokes the lease, so the other replicas take the endpoints at once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.submit(() -> {
                for (String e : List.copyOf(held.keySet())) {
                    lose(e, "ensm is stopping");
                }
                stopWatches();
                if (keeper != null) {
                    keeper.close();
                }
            }).get(ttl.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("event=ownership-close-failed reason=\"{}\"", e.getMessage());
        } finally {
            loop.shutdownNow();
        }
    }

    // --- the loop -----------------------------------------------------------------------------

    /** Grants a lease, writes the member key, reads members and owners and watches them from there. */
    private void join() {
        stopWatches();
        keeper = client.keepAlive(ttl, (k, from, to, reason) -> loop.execute(() -> guarded("lease " + to, () -> leaseChanged(k, to, reason))));
        leaseState = LeaseKeeper.State.VALID;
        client.put(members + self.name(), self.url().getBytes(StandardCharsets.UTF_8), keeper.lease().id());
        Snapshot m = client.range(members);
        memberUrls.clear();
        long now = System.nanoTime();
        m.entries().forEach(e -> {
            String replica = e.key().substring(members.length());
            memberUrls.put(replica, e.valueUtf8());
            seenSince.putIfAbsent(replica, now);
        });
        seenSince.keySet().retainAll(memberUrls.keySet());
        Snapshot o = client.range(owners);
        ownerOf.clear();
        ownerKeys.clear();
        o.entries().forEach(this::ownerPut);
        int current = ++generation;
        memberWatch = client.watch(members, m.revision() + 1, watcher(current, this::memberEvents));
        ownerWatch = client.watch(owners, o.revision() + 1, watcher(current, this::ownerEvents));
        log.info("event=replica-joined replica={} url={} members={} lease_ttl={}", self.name(), self.url(), members().keySet(), ttl);
    }

    private Watch.Listener watcher(int joined, java.util.function.Consumer<List<WatchEvent>> onEvents) {
        return new Watch.Listener() {
            @Override
            public void events(List<WatchEvent> events, long revision) {
                loop.execute(() -> guarded("watch", () -> {
                    if (joined != generation) {
                        return; // a watch of an earlier join: what it says is older than what we read since
                    }
                    onEvents.accept(events);
                    rebalance();
                }));
            }

            @Override
            public void compacted(long compactRevision) {
                // History we missed is gone: read everything again.
                loop.execute(() -> guarded("rejoin after compaction", () -> {
                    if (joined != generation) {
                        return;
                    }
                    log.warn("event=ownership-watch-compacted revision={}", compactRevision);
                    rejoin();
                }));
            }
        };
    }

    private void memberEvents(List<WatchEvent> events) {
        for (WatchEvent ev : events) {
            String replica = ev.entry().key().substring(members.length());
            if (ev.type() == WatchEvent.Type.PUT) {
                if (memberUrls.put(replica, ev.entry().valueUtf8()) == null) {
                    seenSince.put(replica, System.nanoTime());
                    log.info("event=replica-seen replica={} url={}", replica, ev.entry().valueUtf8());
                }
            } else if (replica.equals(self.name())) {
                // Our own key went while our lease lives (deleted by hand, or an old key's end
                // seen late): put it back, or the others would count us out while we hold.
                if (keeper != null && leaseState == LeaseKeeper.State.VALID) {
                    client.put(members + self.name(), self.url().getBytes(StandardCharsets.UTF_8), keeper.lease().id());
                    log.warn("event=replica-member-key-restored replica={}", self.name());
                }
            } else if (memberUrls.remove(replica) != null) {
                seenSince.remove(replica);
                log.info("event=replica-gone replica={}", replica);
            }
        }
    }

    private void ownerEvents(List<WatchEvent> events) {
        for (WatchEvent ev : events) {
            if (ev.type() == WatchEvent.Type.PUT) {
                ownerPut(ev.entry());
            } else {
                ownerGone(ev.entry().key().substring(owners.length()));
            }
        }
    }

    private void ownerPut(Entry e) {
        String endpoint = e.key().substring(owners.length());
        ownerOf.put(endpoint, e.valueUtf8());
        ownerKeys.put(endpoint, e);
    }

    private void ownerGone(String endpoint) {
        ownerOf.remove(endpoint);
        ownerKeys.remove(endpoint);
    }

    /** Takes, keeps or gives up each followed endpoint so that it ends with the replica rendezvous chooses. */
    private void rebalance() {
        if (closed || keeper == null) {
            return;
        }
        // Holds whose owner key is gone or was created again by another replica are lost.
        for (String e : List.copyOf(held.keySet())) {
            Entry key = ownerKeys.get(e);
            if (key == null || key.createRevision() != held.get(e)) {
                lose(e, key == null ? "owner key gone" : "owner key taken by " + ownerOf.get(e));
            }
        }
        if (leaseState != LeaseKeeper.State.VALID) {
            return;
        }
        Set<String> live = memberUrls.keySet();
        for (String e : followed) {
            String chosen = Rendezvous.choose(e, live).orElse(self.name());
            String owner = ownerOf.get(e);
            if (held.containsKey(e)) {
                if (!chosen.equals(self.name()) && live.contains(chosen) && settled(chosen)) {
                    giveUp(e, "replica " + chosen + " is the choice now");
                }
            } else if (owner == null && chosen.equals(self.name())) {
                take(e);
            } else if (ownedByThisLease(e)) {
                // Our key, still bound to our lease after an uncertain spell that ended in time:
                // ours again, or given to the replica chosen meanwhile, which waits for it.
                long fence = ownerKeys.get(e).createRevision();
                if (chosen.equals(self.name())) {
                    acquired(e, fence);
                } else if (client.fencedDelete(new Fence(owners + e, fence), owners + e) instanceof TxnOutcome.Done) {
                    ownerGone(e);
                }
            }
        }
    }

    private void take(String endpoint) {
        TxnOutcome r = client.createIfAbsent(owners + endpoint, self.name().getBytes(StandardCharsets.UTF_8), keeper.lease().id());
        switch (r) {
            case TxnOutcome.Done done -> {
                ownerPut(new Entry(owners + endpoint, self.name().getBytes(StandardCharsets.UTF_8), done.revision(), done.revision(), 1,
                        keeper.lease().id()));
                acquired(endpoint, done.revision());
            }
            case TxnOutcome.Exists exists -> ownerPut(exists.current());
            default -> throw new IllegalStateException("create of owner key " + endpoint + ": " + r);
        }
    }

    /**
     * Whether a member has been live for two lease TTLs: a replica that comes back from a pause (or
     * keeps restarting) gets its share back only once it stays, so one pause moves each endpoint
     * once, not twice.
     */
    private boolean settled(String replica) {
        Long since = seenSince.get(replica);
        return since != null && System.nanoTime() - since >= ttl.multipliedBy(2).toNanos();
    }

    private boolean ownedByThisLease(String endpoint) {
        Entry key = ownerKeys.get(endpoint);
        return key != null && self.name().equals(key.valueUtf8()) && keeper != null && key.lease() == keeper.lease().id();
    }

    private void acquired(String endpoint, long fence) {
        held.put(endpoint, fence);
        log.info("event=endpoint-taken endpoint={} replica={} fence={}", endpoint, self.name(), fence);
        if (listener != null) {
            listener.acquired(new Hold(endpoint, fence));
        }
    }

    /** Stops serving first, then deletes the owner key (fenced), so the chosen replica can take it. */
    private void giveUp(String endpoint, String reason) {
        Long fence = held.get(endpoint);
        lose(endpoint, reason);
        if (fence != null) {
            TxnOutcome r = client.fencedDelete(new Fence(owners + endpoint, fence), owners + endpoint);
            if (r instanceof TxnOutcome.Done) {
                // Not ours from now on, whatever the watch has not told yet.
                ownerGone(endpoint);
            }
            log.info("event=endpoint-given-up endpoint={} fence={} reason=\"{}\" outcome={}", endpoint, fence, reason,
                    r.getClass().getSimpleName());
        }
    }

    private void lose(String endpoint, String reason) {
        if (held.remove(endpoint) != null) {
            log.warn("event=endpoint-released endpoint={} replica={} reason=\"{}\"", endpoint, self.name(), reason);
            if (listener != null) {
                listener.lost(endpoint, reason);
            }
        }
    }

    private void leaseChanged(LeaseKeeper k, LeaseKeeper.State to, String reason) {
        if (k != keeper || closed) {
            return;
        }
        leaseState = to;
        switch (to) {
            case VALID -> {
                log.info("event=replica-lease-valid replica={}", self.name());
                rebalance();
            }
            case UNCERTAIN -> {
                log.warn("event=replica-lease-uncertain replica={} reason=\"{}\"", self.name(), reason);
                for (String e : List.copyOf(held.keySet())) {
                    lose(e, "lease renewal overdue: stop writing before it can expire");
                }
            }
            case LOST -> {
                log.warn("event=replica-lease-lost replica={} reason=\"{}\"", self.name(), reason);
                for (String e : List.copyOf(held.keySet())) {
                    lose(e, "lease lost");
                }
                rejoin();
            }
        }
    }

    private void rejoin() {
        for (String e : List.copyOf(held.keySet())) {
            lose(e, "rejoining");
        }
        if (keeper != null) {
            keeper.close();
        }
        keeper = null;
        join();
        rebalance();
    }

    private void stopWatches() {
        if (memberWatch != null) {
            memberWatch.close();
            memberWatch = null;
        }
        if (ownerWatch != null) {
            ownerWatch.close();
            ownerWatch = null;
        }
    }

    /** Runs on the loop and waits: start-up needs its holds before it goes on. */
    private void run(Runnable work) {
        try {
            loop.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining the replicas in etcd", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Loop work that fails (etcd unreachable) is logged; the periodic check tries again. */
    private void guarded(String what, Runnable work) {
        if (closed) {
            return;
        }
        try {
            work.run();
        } catch (EtcdException | IllegalStateException e) {
            log.warn("event=ownership-step-failed step=\"{}\" reason=\"{}\"", what, e.getMessage());
            try {
                if (e instanceof EtcdException ee && ee.leaseGone() && keeper != null) {
                    // Everything bound to the lease is gone already; waiting for the keeper's next
                    // renewal to say so would leave the holds looking valid until then.
                    leaseChanged(keeper, LeaseKeeper.State.LOST, "etcd no longer knows the lease");
                } else if (keeper == null) {
                    join();
                }
            } catch (RuntimeException again) {
                log.warn("event=ownership-join-failed reason=\"{}\"", again.getMessage());
            }
        }
    }
}
