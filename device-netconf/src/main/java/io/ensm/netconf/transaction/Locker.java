package io.ensm.netconf.transaction;

import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.RpcError;
import io.ensm.netconf.client.RpcReply;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.Rpcs.Datastore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Takes the datastore lock with a bounded number of attempts. A lock held by another session (or
 * a confirmed commit of another session still pending) is waited out with doubling pauses, then
 * reported as BUSY naming the holder. A candidate that someone changed without a lock and left
 * uncommitted blocks every lock until it is discarded; that is done once, with a warning. With
 * {@link StaleLocks}, a holder that is a stale session of ensm's own user is ended after the wait
 * and the lock tried once more.
 */
final class Locker {
    private static final Logger log = LoggerFactory.getLogger(Locker.class);
    static final String MONITORING_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring";

    /** A session as ietf-netconf-monitoring lists it. */
    private record Listed(long id, String username) {}

    private final NetconfSession session;
    private final Datastore target;
    private final TransactionOptions options;
    private final TransactionListener listener;
    private final StaleLocks staleLocks;

    Locker(NetconfSession session, Datastore target, TransactionOptions options, TransactionListener listener, StaleLocks staleLocks) {
        this.session = session;
        this.target = target;
        this.options = options;
        this.listener = listener;
        this.staleLocks = staleLocks;
    }

    /**
     * Takes the lock. {@code readAfter} (may be null) is a read sent in the same write as each
     * lock attempt when pipelining, so it costs no round trip of its own; the device answers it
     * after the lock, so what it read is what the lock protects. Returns its reply, or null when it
     * was not sent (no read, or no pipelining: the caller reads itself).
     */
    RpcReply lock(String readAfter) throws NetconfException {
        String device = session.device();
        long t0 = System.nanoTime();
        long pauseMs = options.lockRetryInitial().toMillis();
        boolean discarded = false;
        String holder = "another session";
        Optional<Long> holderId = Optional.empty();
        for (int attempt = 1; attempt <= options.lockAttempts(); attempt++) {
            List<RpcReply> replies = attempt(readAfter);
            RpcReply reply = replies.getFirst();
            if (reply.ok()) {
                return replies.size() > 1 ? replies.get(1) : null;
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
        String kept = "";
        if (staleLocks != null && holderId.isPresent()) {
            long id = holderId.get();
            String refusal = refusal(id);
            if (refusal == null) {
                List<RpcReply> replies = attempt(readAfter);
                if (replies.getFirst().ok()) {
                    return replies.size() > 1 ? replies.get(1) : null;
                }
                kept = "; it was still locked after ending session " + id;
            } else {
                log.info("event=netconf_lock_holder_kept device={} session={} reason=\"{}\"", device, id, refusal);
                kept = "; session " + id + " was not ended: " + refusal;
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        throw new NetconfException.Busy(device, Step.LOCK.toString(),
                "the " + target + " datastore is locked by " + holder + "; gave up after "
                        + options.lockAttempts() + " attempts in " + ms + " ms" + kept, holderId);
    }

    /**
     * Ends the holder's session when the rule allows it; returns why not otherwise (null: ended).
     * The rule (given {@link StaleLocks} at all): ensm's own device user, not a session of this process.
     */
    private String refusal(long id) throws NetconfException {
        if (staleLocks.ownSession().test(id)) {
            return "it is a session of this ensm";
        }
        Optional<Listed> now = listed(id);
        if (now.isEmpty()) {
            return "the device does not list it in /netconf-state/sessions";
        }
        if (!now.get().username().equals(staleLocks.username())) {
            return "it is a session of user '" + now.get().username() + "', not of ensm's own user '" + staleLocks.username()
                    + "', and an operator's session is never ended";
        }
        RpcReply k = rpc(Step.KILL_SESSION, Rpcs.killSession(id));
        if (!k.ok()) {
            return "the device refused kill-session: " + new NetconfException.Rejected(session.device(),
                    Step.KILL_SESSION.toString(), k.errors()).detail();
        }
        log.warn("event=netconf_session_killed device={} session={} user={} reason=\"{}\"", session.device(), id,
                now.get().username(), "a session of ensm's own user kept the " + target + " lock through the whole wait"
                        + " while this replica takes the endpoint over (the previous holder's, paused)");
        return null;
    }

    /** The session as the device lists it; empty when it does not, or does not implement the listing. */
    private Optional<Listed> listed(long id) throws NetconfException {
        String filter = "<netconf-state xmlns=\"" + MONITORING_NS + "\"><sessions><session><session-id>" + id
                + "</session-id></session></sessions></netconf-state>";
        RpcReply r = rpc(Step.SESSIONS, Rpcs.get(filter));
        if (!r.ok() || r.data().isEmpty()) {
            return Optional.empty();
        }
        NodeList sessions = r.data().get().getElementsByTagNameNS(MONITORING_NS, "session");
        for (int i = 0; i < sessions.getLength(); i++) {
            Element s = (Element) sessions.item(i);
            if (String.valueOf(id).equals(text(s, "session-id"))) {
                String user = text(s, "username");
                return Optional.of(new Listed(id, user == null ? "" : user));
            }
        }
        return Optional.empty();
    }

    private static String text(Element parent, String local) {
        NodeList l = parent.getElementsByTagNameNS(MONITORING_NS, local);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().strip();
    }

    /** One lock attempt, with the read after it in the same write when pipelining. */
    private List<RpcReply> attempt(String readAfter) throws NetconfException {
        if (readAfter == null || !options.pipelining()) {
            return List.of(rpc(Step.LOCK, Rpcs.lock(target)));
        }
        listener.beforeStep(session, Step.LOCK);
        listener.beforeStep(session, Step.FENCE_READ);
        return session.pipeline(List.of(Rpcs.lock(target), readAfter), List.of(Step.LOCK.toString(), Step.FENCE_READ.toString()));
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
