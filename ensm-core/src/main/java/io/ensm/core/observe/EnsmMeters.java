package io.ensm.core.observe;

import io.ensm.core.alloc.PoolUsage;
import io.ensm.core.recovery.Reconciler;
import io.ensm.core.registry.RegistrationStatus;
import io.ensm.core.spi.Backend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The meters the core keeps, on whatever registry the application gives it (Prometheus in the
 * service, a simple in-memory one otherwise). Names are Micrometer's dotted form; Prometheus shows
 * them with underscores and unit suffixes (README, "Observability").
 */
public final class EnsmMeters {
    private final MeterRegistry registry;
    private final DeviceStates devices;
    private final Set<String> poolGauges = ConcurrentHashMap.newKeySet();
    private volatile Supplier<List<PoolUsage>> pools = List::of;

    public EnsmMeters(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.devices = new DeviceStates(clock);
    }

    /** Meters kept in memory only, for embedded use and tests that do not read them. */
    public static EnsmMeters inMemory(Clock clock) {
        return new EnsmMeters(new SimpleMeterRegistry(), clock);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public DeviceStates devices() {
        return devices;
    }

    /** The endpoint's backend, timed and counted per operation, its outcomes feeding the device state. */
    public Backend backend(String endpoint, String type, Backend backend) {
        return new MeteredBackend(backend, endpoint, type, registry, devices);
    }

    /** The backend a {@link #backend} wrapper measures, or {@code backend} itself when it is not one. */
    public static Backend unwrap(Backend backend) {
        return backend instanceof MeteredBackend m ? m.unwrap() : backend;
    }

    /**
     * Utilisation gauges of every pool {@code usage} lists. Pools can appear later (discovered
     * endpoints bring VLAN pools): call {@link #refreshPools()} after that.
     */
    public void pools(Supplier<List<PoolUsage>> usage) {
        this.pools = usage;
        refreshPools();
    }

    /** Registers gauges for pools that appeared since the last call. */
    public void refreshPools() {
        for (PoolUsage u : pools.get()) {
            String kind = u.kind().name().toLowerCase(Locale.ROOT);
            if (poolGauges.add(kind + "/" + u.name())) {
                Gauge.builder("ensm.pool.used", () -> find(u).used()).tags("kind", kind, "pool", u.name())
                        .description("ids or address pairs held by connections").register(registry);
                Gauge.builder("ensm.pool.capacity", () -> find(u).capacity()).tags("kind", kind, "pool", u.name())
                        .description("ids or address pairs in the pool").register(registry);
                Gauge.builder("ensm.pool.utilisation", () -> find(u).ratio()).tags("kind", kind, "pool", u.name())
                        .description("used over capacity, 0 to 1").register(registry);
            }
        }
    }

    private PoolUsage find(PoolUsage key) {
        for (PoolUsage u : pools.get()) {
            if (u.kind() == key.kind() && u.name().equals(key.name())) {
                return u;
            }
        }
        return new PoolUsage(key.kind(), key.name(), 0, 0);
    }

    /** Registration gauges: how many services and endpoints are (not) registered. */
    public void registrations(Supplier<List<RegistrationStatus>> status) {
        Gauge.builder("ensm.registry.registrations", () -> status.get().stream().filter(RegistrationStatus::registered).count())
                .tag("state", "registered").description("services and endpoints the NSM registry holds").register(registry);
        Gauge.builder("ensm.registry.registrations", () -> status.get().stream().filter(s -> !s.registered()).count())
                .tag("state", "unregistered").description("services and endpoints not (or no longer) registered").register(registry);
    }

    /** How many endpoints this replica serves: all of them for a single ensm, its share among replicas. */
    public void served(java.util.function.IntSupplier endpoints) {
        Gauge.builder("ensm.endpoints.served", endpoints::getAsInt)
                .description("endpoints this replica holds and serves (NSE registered, connections reconciled here)").register(registry);
    }

    /** 1 while the store accepts writes, 0 after a write failed until one succeeds. */
    public void store(BooleanSupplier writable) {
        Gauge.builder("ensm.store.writable", () -> writable.getAsBoolean() ? 1 : 0)
                .description("whether the last write to the connection store succeeded").register(registry);
    }

    /** Refreshes answered and not yet in the store (written behind the reply, see ConnectionTable). */
    public void refreshBacklog(IntSupplier backlog) {
        Gauge.builder("ensm.store.refresh.backlog", backlog::getAsInt)
                .description("refreshes answered whose store write is still queued or under way").register(registry);
    }

    /**
     * The most live events that ever waited for one MonitorConnections watcher: how close the
     * slowest watcher came to the bound past which the monitor drops it.
     */
    public void monitorBacklog(IntSupplier highWater) {
        Gauge.builder("ensm.monitor.backlog.high.water", highWater::getAsInt)
                .description("most live events that ever waited for one MonitorConnections watcher").register(registry);
    }

    /** Records one reconcile pass: its duration and what it did. */
    public void reconcilePass(String kind, Duration took, Reconciler.Report r) {
        Timer.builder("ensm.reconcile.passes").tags("kind", kind, "outcome", "completed")
                .description("reconcile passes (start-up recovery and periodic)").register(registry).record(took);
        count("verified", r.verified());
        count("repaired", r.repaired());
        count("rolled_forward", r.rolledForward());
        count("rolled_back", r.rolledBack());
        count("released", r.released());
        count("expired", r.expired());
        count("failed", r.failed());
        count("busy", r.busy());
        Counter.builder("ensm.reconcile.orphans.removed").description("marked objects of unknown connections removed")
                .register(registry).increment(r.orphansRemoved());
    }

    /** A pass that ended with an error before it finished. */
    public void reconcilePassFailed(String kind, Duration took) {
        Timer.builder("ensm.reconcile.passes").tags("kind", kind, "outcome", "aborted")
                .description("reconcile passes (start-up recovery and periodic)").register(registry).record(took);
    }

    private void count(String result, int n) {
        Counter.builder("ensm.reconcile.connections").tag("result", result)
                .description("connections a reconcile pass handled, by result").register(registry).increment(n);
    }
}
