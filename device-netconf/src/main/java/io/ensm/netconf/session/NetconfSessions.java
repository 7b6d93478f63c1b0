package io.ensm.netconf.session;

import io.ensm.netconf.client.SshConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every device's session pool, sharing one SSH client, with a maintenance tick per pool that keeps
 * idle sessions alive and re-opens dropped ones (on a virtual thread, never two at once per pool).
 */
public final class NetconfSessions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetconfSessions.class);

    private final SessionOpener opener;
    private final AutoCloseable owned;
    private final Duration tick;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Entry> pools = new ConcurrentHashMap<>();

    private record Entry(SessionPool pool, ScheduledFuture<?> task) {}

    /** Production: sessions over SSH, maintenance every second. */
    public NetconfSessions() {
        this(new SshConnector(), Duration.ofSeconds(1));
    }

    private NetconfSessions(SshConnector connector, Duration tick) {
        this(connector::connect, connector, tick);
    }

    /** With another way to open sessions, e.g. a connector shared with other users. */
    public NetconfSessions(SessionOpener opener, AutoCloseable owned, Duration tick) {
        this.opener = opener;
        this.owned = owned;
        this.tick = tick;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("netconf-pools").factory());
    }

    /** The pool of a device, created on first use; a second call with another config is refused. */
    public SessionPool pool(DeviceConfig config) {
        Entry e = pools.computeIfAbsent(config.name(), n -> start(config));
        if (!e.pool().config().equals(config)) {
            throw new IllegalArgumentException("device " + config.name() + " is already configured differently");
        }
        return e.pool();
    }

    private Entry start(DeviceConfig config) {
        SessionPool pool = new SessionPool(config, opener);
        AtomicBoolean running = new AtomicBoolean();
        ScheduledFuture<?> task = scheduler.scheduleWithFixedDelay(() -> {
            if (running.compareAndSet(false, true)) {
                Thread.ofVirtual().name("netconf-maintain-" + config.name()).start(() -> {
                    try {
                        pool.maintain();
                    } catch (RuntimeException ex) {
                        log.warn("event=netconf_maintenance_failed device={} error=\"{}\"", config.name(), ex.toString());
                    } finally {
                        running.set(false);
                    }
                });
            }
        }, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
        return new Entry(pool, task);
    }

    public List<SessionPool> pools() {
        return pools.values().stream().map(Entry::pool).toList();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        for (Entry e : pools.values()) {
            e.task().cancel(false);
            e.pool().close();
        }
        pools.clear();
        try {
            owned.close();
        } catch (Exception ex) {
            log.debug("event=netconf_connector_close_failed error=\"{}\"", ex.toString());
        }
    }
}
