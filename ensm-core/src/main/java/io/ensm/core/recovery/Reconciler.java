package io.ensm.core.recovery;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.allocate.Allocator;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.provision.StepFailure;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Brings backends and kernel in line with the store, at start and then periodically.
 * <ul>
 * <li>PENDING (a crash mid-Request): rolled forward when the read-back shows the change landed,
 * else rolled back and forgotten;</li>
 * <li>RELEASING (a Close that could not finish): the release is retried;</li>
 * <li>APPLIED: read back and repaired when missing or drifted; never torn down; closed as an
 * expiry once past its expiry (a Close at expiry that failed before it stored RELEASING).</li>
 * </ul>
 * At start it also re-takes every stored allocation and re-arms expiry with the remaining time
 * (closing at once what expired while ensm was down). A backend that fails, a connection that is
 * busy, or an expiry that cannot be released is counted and left for the next pass; nothing one
 * connection does stops a pass, nor start-up. Trouble is logged per endpoint when it changes
 * ({@link ConditionLog}).
 */
public final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final ConnectionTable table;
    private final Catalog catalog;
    private final Allocator allocator;
    private final Provisioner provisioner;
    private final ExpiryTimers timers;
    private final Clock clock;
    private final Consumer<String> expire;
    private final BiConsumer<String, Runnable> exclusive;
    private final OrphanFilter orphans;
    private final ConditionLog conditions = new ConditionLog();
    /** Endpoints this replica holds: only their devices are swept. */
    private volatile Predicate<String> held = name -> true;

    /**
     * @param expire    closes one connection through the chain as an expiry
     * @param exclusive runs work under a connection's lock, as its Requests and Closes run;
     *                  throws ABORTED when the connection stays busy, and then the pass skips it
     */
    public Reconciler(ConnectionTable table, Catalog catalog, Allocator allocator, Provisioner provisioner,
                      ExpiryTimers timers, Clock clock, Consumer<String> expire, BiConsumer<String, Runnable> exclusive) {
        this(table, catalog, allocator, provisioner, timers, clock, expire, exclusive, OrphanFilter.sweeping());
    }

    /** @param orphans what the orphan sweeps may do with what they find ({@code ensm.recovery.orphans}) */
    public Reconciler(ConnectionTable table, Catalog catalog, Allocator allocator, Provisioner provisioner,
                      ExpiryTimers timers, Clock clock, Consumer<String> expire, BiConsumer<String, Runnable> exclusive,
                      OrphanFilter orphans) {
        this.orphans = orphans;
        this.table = table;
        this.catalog = catalog;
        this.allocator = allocator;
        this.provisioner = provisioner;
        this.timers = timers;
        this.clock = clock;
        this.expire = expire;
        this.exclusive = exclusive;
    }

    /** Result of one pass, for logs and tests. */
    public record Report(int loaded, int verified, int repaired, int rolledForward, int rolledBack, int released,
                         int expired, int failed, int busy, int orphansRemoved) {}

    /** Loads the store, re-takes allocations, reconciles everything, re-arms expiry. */
    public Report startup() {
        List<StoredConnection> all = table.load();
        restore(all);
        Report r = pass(true);
        log.info("event=recovery-done loaded={} verified={} repaired={} rolled_forward={} rolled_back={} released={} expired={} failed={} orphans_removed={}",
                all.size(), r.verified(), r.repaired(), r.rolledForward(), r.rolledBack(), r.released(), r.expired(), r.failed(),
                r.orphansRemoved());
        return new Report(all.size(), r.verified(), r.repaired(), r.rolledForward(), r.rolledBack(), r.released(), r.expired(), r.failed(),
                r.busy(), r.orphansRemoved());
    }

    /**
     * Sets which endpoints this replica holds. Passes look at the connections in the table, which
     * holds only those endpoints' connections; the orphan sweeps must also keep to their devices.
     */
    public void holding(Predicate<String> endpoints) {
        this.held = endpoints;
    }

    /**
     * Takes one endpoint over from another replica (or from nobody): loads its records from the
     * store, re-takes their allocations, reconciles them as at start (read back and repaired, never
     * torn down; expiries armed) and sweeps the endpoint's device of marked objects of unknown
     * connections.
     */
    public Report adopt(String endpoint) {
        List<StoredConnection> loaded = table.loadEndpoint(endpoint);
        restore(loaded);
        Report r = pass(true, loaded, e -> e.name().equals(endpoint), false);
        log.info("event=endpoint-adopted endpoint={} loaded={} verified={} repaired={} rolled_forward={} rolled_back={} released={} "
                        + "expired={} failed={} orphans_removed={}", endpoint, loaded.size(), r.verified(), r.repaired(),
                r.rolledForward(), r.rolledBack(), r.released(), r.expired(), r.failed(), r.orphansRemoved());
        return new Report(loaded.size(), r.verified(), r.repaired(), r.rolledForward(), r.rolledBack(), r.released(), r.expired(),
                r.failed(), r.busy(), r.orphansRemoved());
    }

    /**
     * Gives one endpoint up without touching its device: its records leave the table (the store
     * keeps them for the replica that takes over), their timers and allocations here are dropped.
     * Returns the connections let go.
     */
    public List<StoredConnection> letGo(String endpoint) {
        List<StoredConnection> dropped = table.forgetEndpoint(endpoint);
        for (StoredConnection c : dropped) {
            timers.disarm(c.id());
            try {
                allocator.forget(c.id(), c.service(), c.allocation());
            } catch (RuntimeException e) {
                log.warn("event=release-allocation-failed connection={} reason=\"{}\"", c.id(), e.getMessage());
            }
        }
        log.info("event=endpoint-let-go endpoint={} connections={}", endpoint, dropped.size());
        return dropped;
    }

    private void restore(List<StoredConnection> records) {
        for (StoredConnection c : records) {
            try {
                allocator.restore(c.id(), c.service(), c.allocation());
            } catch (RuntimeException e) {
                log.error("event=restore-allocation-failed connection={} reason=\"{}\"", c.id(), e.getMessage());
            }
        }
    }

    /** One reconciliation pass over every stored connection. */
    public Report pass() {
        return pass(false);
    }

    private Report pass(boolean atStart) {
        Predicate<String> sweep = held;
        return pass(atStart, List.copyOf(table.all()), e -> sweep.test(e.name()), true);
    }

    private Report pass(boolean atStart, List<StoredConnection> records, Predicate<ExposedEndpoint> sweep, boolean sweepForwarder) {
        Tally t = new Tally();
        PassReadBacks reads = new PassReadBacks(provisioner, this::known);
        for (StoredConnection listed : records) {
            try {
                if (atStart) {
                    reconcile(listed, true, t, reads);
                } else {
                    // Re-read under the lock: a Request or Close may have changed it meanwhile.
                    exclusive.accept(listed.id(), () -> table.get(listed.id()).ifPresent(c -> reconcile(c, false, t, reads)));
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.ABORTED) {
                    // Its lock stayed held (a Request or Close to a slow box): the next pass looks again.
                    t.busy++;
                    log.debug("event=reconcile-skipped connection={} reason=\"{}\"", listed.id(), e.getStatus().getDescription());
                } else {
                    t.failed(listed, "reconcile", describe(e));
                }
            } catch (RuntimeException e) {
                t.failed(listed, "reconcile", describe(e));
            }
        }
        conditions.report(t.endpoints);
        // After the connections: a rolled-back PENDING must no longer count as known.
        int orphans = removeOrphans(reads, sweep, sweepForwarder);
        return new Report(0, t.verified, t.repaired, t.forward, t.back, t.released, t.expired, t.failed, t.busy, orphans);
    }

    /**
     * Asks every backend and the forwarder to remove marked objects of connections the table does
     * not hold. The check is live, not a snapshot: a Request stores its intent before any backend
     * is touched and a Close forgets it only after release, so in-flight work always counts as known.
     * Records the store could not read (quarantined) count as known too: their objects stay for inspection.
     */
    private int removeOrphans(PassReadBacks reads, Predicate<ExposedEndpoint> sweep, boolean sweepForwarder) {
        Predicate<String> known = this::known;
        int removed = 0;
        Set<Backend> swept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ExposedEndpoint endpoint : catalog.endpoints()) {
            if (sweep.test(endpoint) && swept.add(endpoint.backend())) {
                String source = "endpoint=" + endpoint.name();
                removed += removeOrphans(source, () -> {
                    // A replica that lost the endpoint unawares must not sweep its successor's work.
                    table.confirmHold(endpoint.name());
                    return reads.removeOrphans(endpoint.backend(), orphans.forSweep(source, known));
                });
            }
        }
        if (sweepForwarder && catalog.forwarder().isPresent()) {
            Forwarder forwarder = catalog.forwarder().get();
            removed += removeOrphans("forwarder", () -> forwarder.removeOrphans(orphans.forSweep("forwarder", known)));
        }
        return removed;
    }

    /** Whether the store holds the connection, or set its record aside as unreadable (its objects stay). */
    private boolean known(String id) {
        String segmentOf = io.ensm.core.model.Segment.serviceOf(id);
        if (segmentOf != null) {
            // A segment's shared objects stay while any connection of its service is stored.
            return table.all().stream().anyMatch(c -> c.service().equals(segmentOf));
        }
        return table.get(id).isPresent() || table.quarantined().contains(id);
    }

    /** Connection ids whose marked objects the latest sweeps found and, by policy, left in place. */
    public Set<String> orphansKept() {
        return orphans.kept();
    }

    private interface Sweep {
        Set<String> run() throws BackendException;
    }

    private int removeOrphans(String where, Sweep sweep) {
        try {
            Set<String> ids = sweep.run();
            conditions.swept(where);
            if (!ids.isEmpty()) {
                log.info("event=orphans-removed {} connections={}", where, ids);
            }
            return ids.size();
        } catch (BackendException | RuntimeException e) {
            conditions.sweepFailed(where, e.getMessage());
            return 0;
        }
    }

    private static final class Tally {
        final ConditionLog.Pass endpoints = new ConditionLog.Pass();
        int verified, repaired, forward, back, released, expired, failed, busy;

        void ok(StoredConnection c) {
            endpoints.reconciled(c.endpoint());
        }

        void failed(StoredConnection c, String step, String reason) {
            failed++;
            endpoints.failed(c.endpoint(), c.id(), c.phase(), step, reason);
        }
    }

    private void reconcile(StoredConnection c, boolean atStart, Tally t, PassReadBacks reads) {
        ExposedEndpoint endpoint = catalog.endpoint(c.endpoint()).orElse(null);
        if (endpoint == null) {
            t.failed(c, "endpoint lookup", "endpoint no longer configured; kept as is");
            return;
        }
        if (c.phase() == Phase.APPLIED && overdue(c)) {
            // Expired while ensm was down, or its Close at expiry failed before storing RELEASING:
            // nothing to read back or repair, it goes.
            expire(c, t);
            return;
        }
        ProvisionIntent intent = Provision.intentOf(c, endpoint);
        try {
            switch (c.phase()) {
                case PENDING -> {
                    if (reads.verify(endpoint, intent, c.attachment()) == Verification.PRESENT) {
                        table.confirmHold(c.endpoint());
                        Attachment a = provisioner.repair(endpoint, intent);
                        StoredConnection applied = c.applied(a, provisioner.endedHere(intent, c.connection()));
                        table.put(applied);
                        t.forward++;
                        armOrExpire(applied, t);
                    } else {
                        forget(endpoint, intent, c);
                        t.back++;
                        t.ok(c);
                    }
                }
                case RELEASING -> {
                    forget(endpoint, intent, c);
                    t.released++;
                    t.ok(c);
                }
                case APPLIED -> {
                    Verification v = reads.verify(endpoint, intent, c.attachment());
                    if (v != Verification.PRESENT) {
                        table.confirmHold(c.endpoint());
                        Attachment a = provisioner.repair(endpoint, intent);
                        // Repaired here, maybe on another host than the replica's that made it: the reply names this end.
                        table.put(c.applied(a, provisioner.endedHere(intent, c.connection())));
                        log.info("event=connection-repaired endpoint={} connection={} found={}", c.endpoint(), c.id(), v);
                        t.repaired++;
                    } else {
                        // Only a start or an adoption brings records another replica wrote; later passes
                        // find this replica's own replies and need not parse them.
                        byte[] reply = atStart ? provisioner.endedHere(intent, c.connection()) : c.connection();
                        if (reply != c.connection()) {
                            // Its legs found on this host (made here before another replica held it): the reply names this end again.
                            table.confirmHold(c.endpoint());
                            table.put(c.applied(c.attachment(), reply));
                        }
                        t.verified++;
                    }
                    t.ok(c);
                    if (atStart) {
                        timers.arm(c.id(), c.expires());
                    }
                }
            }
        } catch (StepFailure e) {
            t.failed(c, e.step(), e.getCause().getMessage());
            if (atStart && c.phase() == Phase.APPLIED) {
                timers.arm(c.id(), c.expires());
            }
        } catch (StoreException e) {
            t.failed(c, "connection store", e.getMessage());
        }
    }

    private boolean overdue(StoredConnection c) {
        return !c.expires().isAfter(clock.instant());
    }

    /** A connection rolled forward gets its timer, or goes at once when its time is already up. */
    private void armOrExpire(StoredConnection c, Tally t) {
        if (overdue(c)) {
            expire(c, t);
        } else {
            t.ok(c);
            timers.arm(c.id(), c.expires());
        }
    }

    /**
     * Closes a connection as an expiry through the chain. A Close whose release fails has stored
     * RELEASING, so a later pass finishes it; one that failed before that leaves it APPLIED and
     * past its expiry, so a later pass tries again. Either way the pass goes on.
     */
    private void expire(StoredConnection c, Tally t) {
        try {
            expire.accept(c.id());
            t.expired++;
            t.ok(c);
        } catch (RuntimeException e) {
            t.failed(c, "expiry", describe(e));
        }
    }

    private static String describe(RuntimeException e) {
        if (e instanceof StatusRuntimeException s) {
            return s.getStatus().getCode() + ": " + s.getStatus().getDescription();
        }
        return String.valueOf(e);
    }

    /** Rolls back or finishes a release; the table's forgetting disarms its timer. */
    private void forget(ExposedEndpoint endpoint, ProvisionIntent intent, StoredConnection c) throws StepFailure {
        if (c.phase() != Phase.RELEASING) {
            // Once decided, a rollback whose undo fails is finished by a later pass, not rolled forward.
            table.put(c.withPhase(Phase.RELEASING));
        }
        provisioner.undo(endpoint, intent, c.attachment());
        table.remove(c.id());
        allocator.release(c.id(), c.service(), c.allocation());
        log.info("event=connection-rolled-back endpoint={} connection={} phase={}", c.endpoint(), c.id(), c.phase());
    }
}
