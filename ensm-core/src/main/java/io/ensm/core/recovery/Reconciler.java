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
 * <li>APPLIED: read back and repaired when missing or drifted; never torn down.</li>
 * </ul>
 * At start it also re-takes every stored allocation and re-arms expiry with the remaining time
 * (closing at once what expired while ensm was down).
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

    /** @param expire closes one connection through the chain as an expiry */
    public Reconciler(ConnectionTable table, Catalog catalog, Allocator allocator, Provisioner provisioner,
                      ExpiryTimers timers, Clock clock, Consumer<String> expire, BiConsumer<String, Runnable> exclusive) {
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
                         int expired, int failed, int orphansRemoved) {}

    /** Loads the store, re-takes allocations, reconciles everything, re-arms expiry. */
    public Report startup() {
        List<StoredConnection> all = table.load();
        for (StoredConnection c : all) {
            try {
                allocator.restore(c.id(), c.service(), c.allocation());
            } catch (RuntimeException e) {
                log.error("event=restore-allocation-failed connection={} reason=\"{}\"", c.id(), e.getMessage());
            }
        }
        Report r = pass(true);
        log.info("event=recovery-done loaded={} verified={} repaired={} rolled_forward={} rolled_back={} released={} expired={} failed={} orphans_removed={}",
                all.size(), r.verified(), r.repaired(), r.rolledForward(), r.rolledBack(), r.released(), r.expired(), r.failed(),
                r.orphansRemoved());
        return new Report(all.size(), r.verified(), r.repaired(), r.rolledForward(), r.rolledBack(), r.released(), r.expired(), r.failed(),
                r.orphansRemoved());
    }

    /** One reconciliation pass over every stored connection. */
    public Report pass() {
        return pass(false);
    }

    private Report pass(boolean atStart) {
        Tally t = new Tally();
        PassReadBacks reads = new PassReadBacks(provisioner, id -> table.get(id).isPresent());
        for (StoredConnection listed : List.copyOf(table.all())) {
            if (atStart) {
                reconcile(listed, true, t, reads);
            } else {
                // Re-read under the lock: a Request or Close may have changed it meanwhile.
                exclusive.accept(listed.id(), () -> table.get(listed.id()).ifPresent(c -> reconcile(c, false, t, reads)));
            }
        }
        // After the connections: a rolled-back PENDING must no longer count as known.
        int orphans = removeOrphans(reads);
        return new Report(0, t.verified, t.repaired, t.forward, t.back, t.released, t.expired, t.failed, orphans);
    }

    /**
     * Asks every backend and the forwarder to remove marked objects of connections the table does
     * not hold. The check is live, not a snapshot: a Request stores its intent before any backend
     * is touched and a Close forgets it only after release, so in-flight work always counts as known.
     */
    private int removeOrphans(PassReadBacks reads) {
        Predicate<String> known = id -> table.get(id).isPresent();
        int removed = 0;
        Set<Backend> swept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ExposedEndpoint endpoint : catalog.endpoints()) {
            if (swept.add(endpoint.backend())) {
                removed += removeOrphans("endpoint=" + endpoint.name(), () -> reads.removeOrphans(endpoint.backend()));
            }
        }
        if (catalog.forwarder().isPresent()) {
            Forwarder forwarder = catalog.forwarder().get();
            removed += removeOrphans("forwarder", () -> forwarder.removeOrphans(known));
        }
        return removed;
    }

    private interface Sweep {
        Set<String> run() throws BackendException;
    }

    private static int removeOrphans(String where, Sweep sweep) {
        try {
            Set<String> ids = sweep.run();
            if (!ids.isEmpty()) {
                log.info("event=orphans-removed {} connections={}", where, ids);
            }
            return ids.size();
        } catch (BackendException | RuntimeException e) {
            log.warn("event=orphan-sweep-failed {} reason=\"{}\"", where, e.getMessage());
            return 0;
        }
    }

    private static final class Tally {
        int verified, repaired, forward, back, released, expired, failed;
    }

    private void reconcile(StoredConnection c, boolean atStart, Tally t, PassReadBacks reads) {
        ExposedEndpoint endpoint = catalog.endpoint(c.endpoint()).orElse(null);
        if (endpoint == null) {
            log.warn("event=reconcile-skipped connection={} endpoint={} reason=\"endpoint no longer configured; kept as is\"",
                    c.id(), c.endpoint());
            t.failed++;
            return;
        }
        ProvisionIntent intent = Provision.intentOf(c, endpoint);
        try {
            switch (c.phase()) {
                case PENDING -> {
                    if (reads.verify(endpoint, intent, c.attachment()) == Verification.PRESENT) {
                        Attachment a = provisioner.apply(endpoint, intent);
                        table.put(c.applied(a, c.connection()));
                        t.forward++;
                        arm(c, atStart);
                    } else {
                        forget(endpoint, intent, c);
                        t.back++;
                    }
                }
                case RELEASING -> {
                    forget(endpoint, intent, c);
                    t.released++;
                }
                case APPLIED -> {
                    Verification v = reads.verify(endpoint, intent, c.attachment());
                    if (v != Verification.PRESENT) {
                        Attachment a = provisioner.apply(endpoint, intent);
                        table.put(c.applied(a, c.connection()));
                        log.info("event=connection-repaired endpoint={} connection={} found={}", c.endpoint(), c.id(), v);
                        t.repaired++;
                    } else {
                        t.verified++;
                    }
                    if (arm(c, atStart)) {
                        t.expired++;
                    }
                }
            }
        } catch (StepFailure e) {
            t.failed++;
            log.warn("event=reconcile-failed endpoint={} connection={} phase={} step=\"{}\" reason=\"{}\"",
                    c.endpoint(), c.id(), c.phase(), e.step(), e.getCause().getMessage());
            if (atStart && c.phase() == Phase.APPLIED) {
                arm(c, true);
            }
        } catch (StoreException e) {
            t.failed++;
            log.warn("event=reconcile-failed connection={} reason=\"connection store: {}\"", c.id(), e.getMessage());
        }
    }

    /** Re-arms expiry at start; returns true when the connection had already expired. */
    private boolean arm(StoredConnection c, boolean atStart) {
        if (!atStart) {
            return false;
        }
        if (!c.expires().isAfter(clock.instant())) {
            expire.accept(c.id());
            return true;
        }
        timers.arm(c.id(), c.expires());
        return false;
    }

    private void forget(ExposedEndpoint endpoint, ProvisionIntent intent, StoredConnection c) throws StepFailure {
        provisioner.undo(endpoint, intent, c.attachment());
        table.remove(c.id());
        allocator.release(c.id(), c.service(), c.allocation());
        log.info("event=connection-rolled-back endpoint={} connection={} phase={}", c.endpoint(), c.id(), c.phase());
    }
}
