package io.ensm.netconf.session;

import io.ensm.core.spi.Secret;
import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.Rpcs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sessions to one device. Callers borrow a session for a unit of work and give it back;
 * every wait is bounded. A failed connect opens a circuit: until the backoff has passed, callers
 * fail at once with the last error instead of connecting again (doubling up to a maximum, and a
 * long hold after a refused password or host key). Dropped sessions are noticed and replaced;
 * idle ones are kept alive with a cheap RPC.
 */
public final class SessionPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionPool.class);
    static final String PING = Rpcs.ping();

    private final DeviceConfig config;
    private final SessionOpener opener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<NetconfSession> idle = new ArrayDeque<>();
    private final ConnectCircuit circuit;
    private int inUse;
    private int connecting;
    private boolean closed;
    private final AtomicLong connectAttempts = new AtomicLong();

    public SessionPool(DeviceConfig config, SessionOpener opener) {
        this.config = config;
        this.opener = opener;
        this.circuit = new ConnectCircuit(config.pool());
    }

    public DeviceConfig config() {
        return config;
    }

    /** Work done with one borrowed session. */
    @FunctionalInterface
    public interface Work<R> {
        R run(NetconfSession session) throws NetconfException;
    }

    /**
     * Runs the work on a borrowed session. When the work fails because the device is unreachable
     * the session is closed rather than returned (its state on the device is unknown).
     */
    public <R> R withSession(Work<R> work) throws NetconfException {
        // A device that dropped its sessions (a restart, an idle timeout on its side) leaves idle
        // sessions that only show it when used. Work that got no reply before finding its
        // session ended did nothing on the device, so it runs again on another session, at most
        // once per session the pool may hold. Silence (a timeout) is not retried.
        for (int attempt = 0; ; attempt++) {
            Lease lease = acquire();
            long repliesBefore = lease.session().repliesReceived();
            try {
                R result = work.run(lease.session());
                lease.close();
                return result;
            } catch (NetconfException.Unreachable e) {
                lease.discard();
                boolean stale = lease.reused() && e.sessionEnded() && lease.session().repliesReceived() == repliesBefore;
                if (stale && attempt < config.pool().maxSessions()) {
                    log.info("event=netconf_stale_session device={} session={} step=\"{}\" next=\"again on another session\"",
                            config.name(), lease.session().sessionId(), e.step());
                    continue;
                }
                throw e;
            } catch (NetconfException | RuntimeException e) {
                lease.close();
                throw e;
            }
        }
    }

    /** A borrowed session; close returns it, discard ends it. */
    public final class Lease implements AutoCloseable {
        private final NetconfSession session;
        private final boolean reused;
        private boolean done;

        private Lease(NetconfSession session, boolean reused) {
            this.session = session;
            this.reused = reused;
        }

        /** Whether the session came from the idle ones rather than being opened for this lease. */
        public boolean reused() {
            return reused;
        }

        public NetconfSession session() {
            return session;
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                release(session, session.isOpen());
            }
        }

        public void discard() {
            if (!done) {
                done = true;
                session.abort("discarded by its user");
                release(session, false);
            }
        }
    }

    public Lease acquire() throws NetconfException {
        long deadline = System.nanoTime() + config.pool().acquireTimeout().toNanos();
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new NetconfException.Unreachable(config.name(), "session", "the session pool is closed", null);
                }
                NetconfSession s;
                while ((s = idle.pollFirst()) != null) {
                    if (s.isOpen()) {
                        inUse++;
                        return new Lease(s, true);
                    }
                }
                if (inUse + connecting < config.pool().maxSessions()) {
                    var refusal = circuit.refusal(System.nanoTime(), connecting > 0);
                    if (refusal.isPresent()) {
                        throw refusal.get();
                    }
                    connecting++;
                    lock.unlock();
                    NetconfSession opened = null;
                    try {
                        opened = connect();
                    } finally {
                        lock.lock();
                        connecting--;
                        if (opened != null) {
                            inUse++;
                        }
                        changed.signalAll();
                    }
                    return new Lease(opened, false);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new NetconfException.Busy(config.name(), "session",
                            "all " + config.pool().maxSessions() + " sessions stayed in use for "
                                    + config.pool().acquireTimeout().toMillis() + " ms", Optional.empty());
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetconfException.Unreachable(config.name(), "session", "interrupted while waiting for a session", e);
        } finally {
            lock.unlock();
        }
    }

    /** Opens a session outside the lock and updates the circuit. */
    private NetconfSession connect() throws NetconfException {
        connectAttempts.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            NetconfSession s = opener.open(spec());
            LocalSessions.opened(config.host(), config.port(), s);
            int failedBefore;
            lock.lock();
            try {
                failedBefore = circuit.failures();
                circuit.succeeded();
            } finally {
                lock.unlock();
            }
            if (failedBefore > 0) {
                log.info("event=netconf_device_reachable device={} failed_attempts={}", config.name(), failedBefore);
            }
            log.debug("event=netconf_session_opened device={} session_id={} ms={}", config.name(), s.sessionId(),
                    (System.nanoTime() - t0) / 1_000_000);
            return s;
        } catch (NetconfException e) {
            Duration wait;
            int failures;
            boolean changed;
            lock.lock();
            try {
                changed = circuit.changesState(e);
                wait = circuit.failed(e, System.nanoTime());
                failures = circuit.failures();
            } finally {
                lock.unlock();
            }
            // One WARN when the device starts failing (or fails another way); the retries at its
            // backoff after that are DEBUG, and the next success is one INFO.
            if (changed) {
                log.warn("event=netconf_connect_failed device={} kind={} failures={} retry_in_ms={} error=\"{}\"",
                        config.name(), e.kind(), failures, wait.toMillis(), e.getMessage());
            } else {
                log.debug("event=netconf_connect_failed device={} kind={} failures={} retry_in_ms={} error=\"{}\"",
                        config.name(), e.kind(), failures, wait.toMillis(), e.getMessage());
            }
            throw e;
        }
    }

    private ConnectSpec spec() throws NetconfException {
        Secret password;
        try {
            password = config.password().read();
        } catch (IOException e) {
            throw new NetconfException.Denied(config.name(), "credentials", "no password: " + e.getMessage(), null);
        }
        return new ConnectSpec(config.name(), config.host(), config.port(), config.username(), password,
                config.hostKey(), config.timeouts());
    }

    private void release(NetconfSession s, boolean reusable) {
        lock.lock();
        try {
            inUse--;
            if (reusable && !closed) {
                idle.addFirst(s);
            } else {
                s.abort("not reusable");
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!reusable) {
            log.debug("event=netconf_session_dropped device={} session={}", config.name(), s);
        }
    }

    /**
     * One keep-alive round: pings idle sessions unused for a keep-alive interval, closes those that
     * fail, and re-opens sessions up to minIdle when the circuit allows it.
     */
    public void maintain() {
        List<NetconfSession> due = new ArrayList<>();
        long stale = System.nanoTime() - config.pool().keepAliveInterval().toNanos();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            idle.removeIf(s -> !s.isOpen());
            for (NetconfSession s : idle) {
                if (s.lastUsedNanos() < stale) {
                    due.add(s);
                }
            }
            idle.removeAll(due);
            inUse += due.size();
        } finally {
            lock.unlock();
        }
        for (NetconfSession s : due) {
            boolean alive;
            try {
                alive = s.rpc(PING, min(config.timeouts().rpc(), Duration.ofSeconds(5))).ok();
            } catch (NetconfException e) {
                log.info("event=netconf_keepalive_failed device={} error=\"{}\"", config.name(), e.getMessage());
                alive = false;
            }
            release(s, alive && s.isOpen());
        }
        refill();
    }

    private void refill() {
        while (true) {
            lock.lock();
            try {
                boolean want = !closed && idle.size() + inUse + connecting < config.pool().minIdle()
                        && inUse + connecting < config.pool().maxSessions()
                        && circuit.allows(System.nanoTime()) && connecting == 0;
                if (!want) {
                    return;
                }
                connecting++;
            } finally {
                lock.unlock();
            }
            NetconfSession opened = null;
            try {
                opened = connect();
            } catch (NetconfException e) {
                // Logged by connect; the circuit decides when to try again.
            } finally {
                lock.lock();
                try {
                    connecting--;
                    if (opened != null) {
                        if (closed) {
                            opened.abort("pool closed");
                        } else {
                            idle.addFirst(opened);
                        }
                    }
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            if (opened == null) {
                return;
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Counters for tests and health: connect attempts so far, open idle sessions, sessions in use. */
    public record Stats(long connectAttempts, int idle, int inUse, boolean circuitOpen) {}

    public Stats stats() {
        lock.lock();
        try {
            int open = (int) idle.stream().filter(NetconfSession::isOpen).count();
            return new Stats(connectAttempts.get(), open, inUse, circuit.open(System.nanoTime()));
        } finally {
            lock.unlock();
        }
    }

    /** Closes idle sessions now and sessions in use when they are given back. */
    @Override
    public void close() {
        List<NetconfSession> toClose;
        lock.lock();
        try {
            closed = true;
            toClose = new ArrayList<>(idle);
            idle.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (NetconfSession s : toClose) {
            s.close();
        }
    }

    /** Waits up to the timeout for the keep-alive to have opened minIdle sessions; for start-up and tests. */
    public boolean awaitIdle(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (idle.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
