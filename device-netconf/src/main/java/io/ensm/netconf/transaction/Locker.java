package io.ensm.netconf.transaction;

import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.RpcError;
import io.ensm.netconf.client.RpcReply;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.Rpcs.Datastore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Takes the datastore lock with a bounded number of attempts. A lock held by another session (or
 * a confirmed commit of another session still pending) is waited out with doubling pauses, then
 * reported as BUSY naming the holder. A candidate that someone changed without a lock and left
 * uncommitted blocks every lock until it is discarded; that is done once, with a warning.
 */
final class Locker {
    private static final Logger log = LoggerFactory.getLogger(Locker.class);

    private final NetconfSession session;
    private final Datastore target;
    private final TransactionOptions options;
    private final TransactionListener listener;

    Locker(NetconfSession session, Datastore target, TransactionOptions options, TransactionListener listener) {
        this.session = session;
        this.target = target;
        this.options = options;
        this.listener = listener;
    }

    void lock() throws NetconfException {
        String device = session.device();
        long t0 = System.nanoTime();
        long pauseMs = options.lockRetryInitial().toMillis();
        boolean discarded = false;
        String holder = "another session";
        Optional<Long> holderId = Optional.empty();
        for (int attempt = 1; attempt <= options.lockAttempts(); attempt++) {
            RpcReply reply = rpc(Step.LOCK, Rpcs.lock(target));
            if (reply.ok()) {
                return;
            }
            RpcError e = reply.errors().stream().filter(RpcError::isError).findFirst().orElseThrow();
            Optional<Long> sid = sessionId(e);
            if (target == Datastore.CANDIDATE && !discarded && isDirtyCandidate(e, sid)) {
                discarded = true;
                log.warn("event=netconf_candidate_discarded device={} reason=\"{}\"", device,
                        "uncommitted changes made without a lock blocked the lock");
                RpcReply d = rpc(Step.DISCARD, Rpcs.discardChanges());
                if (!d.ok()) {
                    throw new NetconfException.Rejected(device, Step.LOCK.toString(), d.errors());
                }
                attempt--;
                continue;
            }
            if ("lock-denied".equals(e.tag())) {
                holderId = sid.filter(id -> id > 0);
                holder = holderId.map(id -> "NETCONF session " + id).orElse("a non-NETCONF user of the device");
            } else if ("in-use".equals(e.tag())) {
                holder = "a pending confirmed commit of another session";
                holderId = Optional.empty();
            } else {
                throw new NetconfException.Rejected(device, Step.LOCK.toString(), reply.errors());
            }
            if (attempt < options.lockAttempts()) {
                sleep(pauseMs);
                pauseMs = Math.min(options.lockRetryMax().toMillis(), Math.max(1, pauseMs * 2));
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        throw new NetconfException.Busy(device, Step.LOCK.toString(),
                "the " + target + " datastore is locked by " + holder + "; gave up after "
                        + options.lockAttempts() + " attempts in " + ms + " ms", holderId);
    }

    /** RFC 6241 asks for lock-denied with session-id 0; netconfd says resource-denied. */
    private static boolean isDirtyCandidate(RpcError e, Optional<Long> sid) {
        return "resource-denied".equals(e.tag())
                || ("lock-denied".equals(e.tag()) && sid.isPresent() && sid.get() == 0);
    }

    private static Optional<Long> sessionId(RpcError e) {
        String v = e.info().get("session-id");
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(v.strip()));
        } catch (NumberFormatException ex) {
            return Optional.empty();
        }
    }

    private RpcReply rpc(Step step, String operation) throws NetconfException {
        listener.beforeStep(session, step);
        try {
            return session.rpc(operation);
        } catch (NetconfException.Unreachable e) {
            throw new NetconfException.Unreachable(session.device(), step.toString(), e.detail(), e);
        }
    }

    private void sleep(long ms) throws NetconfException.Unreachable {
        try {
            Thread.sleep(Duration.ofMillis(ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetconfException.Unreachable(session.device(), Step.LOCK.toString(), "interrupted while waiting for the lock", e);
        }
    }
}
