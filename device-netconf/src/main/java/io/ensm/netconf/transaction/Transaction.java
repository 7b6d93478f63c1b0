package io.ensm.netconf.transaction;

import io.ensm.netconf.client.Capability;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.RpcError;
import io.ensm.netconf.client.RpcReply;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.Rpcs.Datastore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One run of {@link TransactionRunner}: the state of one locked transaction on one session. */
final class Transaction<T> {
    private static final Logger log = LoggerFactory.getLogger(Transaction.class);

    private record Slot<T>(int index, T item) {}

    private final NetconfSession session;
    private final List<T> items;
    private final EditCodec<T> codec;
    private final TransactionOptions options;
    private final TransactionListener listener;
    private final String device;
    private final Datastore target;
    private final boolean rollbackOnError;
    private final boolean confirmed;
    private final NetconfException[] failures;
    private final Fencing fencing;
    private final StaleLocks staleLocks;
    private boolean locked;
    private boolean edited;
    /** This hold's token is edited into the target and not yet committed or discarded. */
    private boolean fenceEdited;
    private boolean confirmPending;

    Transaction(NetconfSession session, List<T> items, EditCodec<T> codec, TransactionOptions options,
                TransactionListener listener, Fencing fencing, StaleLocks staleLocks) {
        this.session = session;
        this.fencing = fencing;
        this.staleLocks = staleLocks;
        this.items = List.copyOf(items);
        this.codec = codec;
        this.options = options;
        this.listener = listener;
        this.device = session.device();
        this.target = session.supports(Capability.CANDIDATE) ? Datastore.CANDIDATE : Datastore.RUNNING;
        this.rollbackOnError = session.supports(Capability.ROLLBACK_ON_ERROR);
        this.confirmed = options.confirmedCommit() && target == Datastore.CANDIDATE
                && (session.supports(Capability.CONFIRMED_COMMIT_1_0) || session.supports(Capability.CONFIRMED_COMMIT_1_1));
        this.failures = new NetconfException[items.size()];
    }

    List<ItemResult<T>> run() throws NetconfException {
        long t0 = System.nanoTime();
        if (target == Datastore.RUNNING && !session.supports(Capability.WRITABLE_RUNNING)) {
            throw new NetconfException.Rejected(device, Step.EDIT.toString(),
                    "the device offers neither :candidate nor :writable-running, so ensm cannot change it");
        }
        List<Slot<T>> all = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            all.add(new Slot<>(i, items.get(i)));
        }
        String fenceRead = fencing == null ? null : Rpcs.getConfig(Datastore.RUNNING, fencing.leaf().readFilter());
        RpcReply fence = new Locker(session, target, options, listener, staleLocks).lock(fenceRead);
        locked = true;
        try {
            if (fencing != null) {
                fence(fence != null ? fence : step(Step.FENCE_READ, fenceRead));
            }
            if (target == Datastore.CANDIDATE) {
                List<Slot<T>> edited = all.isEmpty() ? all : editIsolating(all);
                if (!edited.isEmpty()) {
                    commitAndReadBack(edited);
                } else if (fenceEdited) {
                    commitFenceAlone();
                }
            } else {
                List<Slot<T>> applied = all.isEmpty() ? all : editIsolating(all);
                if (!applied.isEmpty()) {
                    readBack(applied);
                }
            }
            if (confirmPending) {
                confirmAndUnlock();
            } else {
                unlock();
            }
        } catch (NetconfException e) {
            cleanUp(e);
            throw e;
        } catch (RuntimeException e) {
            // A codec or listener failed: the device state is unknown to ensm, so the session ends,
            // which makes the device roll back an unconfirmed commit and drop the lock.
            session.abort("transaction failed inside ensm: " + e);
            throw e;
        }
        List<ItemResult<T>> results = new ArrayList<>(items.size());
        int failed = 0;
        for (int i = 0; i < items.size(); i++) {
            if (failures[i] == null) {
                results.add(ItemResult.applied(items.get(i)));
            } else {
                results.add(ItemResult.failed(items.get(i), failures[i]));
                failed++;
            }
        }
        log.debug("event=netconf_transaction device={} target={} items={} failed={} ms={}", device, target,
                items.size(), failed, (System.nanoTime() - t0) / 1_000_000);
        return results;
    }

    /**
     * Inside the lock: refuses to go on when the device holds a newer token than this hold's, and
     * edits this hold's token in when it holds an older one or none (committed with the items).
     */
    private void fence(RpcReply read) throws NetconfException {
        if (!read.ok()) {
            throw new NetconfException.Rejected(device, Step.FENCE_READ.toString(), read.errors());
        }
        String data = read.dataXml();
        java.util.OptionalLong found;
        try {
            found = fencing.leaf().token(data);
        } catch (IllegalArgumentException e) {
            throw new NetconfException.Rejected(device, Step.FENCE_READ.toString(), fencing.leaf().label() + ": " + e.getMessage());
        }
        long own = fencing.token();
        if (found.isPresent() && found.getAsLong() > own) {
            throw new NetconfException.Fenced(device, Step.FENCE_READ.toString(), fencing.leaf().label() + " holds fence token "
                    + found.getAsLong() + ", newer than this replica's " + own
                    + ": another replica has taken the endpoint over; nothing was written", found.getAsLong(), own);
        }
        if (found.isPresent() && found.getAsLong() == own) {
            return;
        }
        edited = true;
        RpcReply r = step(Step.FENCE_WRITE, Rpcs.editConfig(target, fencing.leaf().render(data, own), rollbackOnError));
        if (!r.ok()) {
            throw new NetconfException.Rejected(device, Step.FENCE_WRITE.toString(), r.errors());
        }
        fenceEdited = target == Datastore.CANDIDATE;
        log.info("event=netconf_fence_written device={} fence=\"{}\" token={} previous={}", device, fencing.leaf().label(), own,
                found.isPresent() ? Long.toString(found.getAsLong()) : "none");
    }

    /** Candidate: no item to commit (a take-over, or every item refused), but this hold's token is edited in. */
    private void commitFenceAlone() throws NetconfException {
        RpcReply r = step(Step.COMMIT, Rpcs.commit());
        if (!r.ok()) {
            throw new NetconfException.Rejected(device, Step.COMMIT.toString(), r.errors());
        }
        fenceEdited = false;
    }

    /**
     * Candidate, the edit accepted: commit and read back in one round trip. The read-back cannot
     * change anything, so it may go before the commit's answer is known; if the commit was refused
     * it saw running without the change and is ignored, and the commit refusal is isolated.
     */
    private void commitAndReadBack(List<Slot<T>> edited) throws NetconfException {
        String commit = confirmed ? Rpcs.commitConfirmed(options.confirmTimeout()) : Rpcs.commit();
        List<RpcReply> r = steps(List.of(Step.COMMIT, Step.READ_BACK), List.of(commit, readBackRpc(edited)));
        if (r.get(0).ok()) {
            confirmPending |= confirmed;
            check(edited, r.get(1));
            return;
        }
        discard();
        if (edited.size() == 1) {
            fail(edited.getFirst(), Step.COMMIT, r.get(0).errors());
            return;
        }
        List<Slot<T>> committed = new ArrayList<>(commitIsolating(edited.subList(0, edited.size() / 2)));
        committed.addAll(commitIsolating(edited.subList(edited.size() / 2, edited.size())));
        if (!committed.isEmpty()) {
            readBack(committed);
        }
    }

    /**
     * The read-back held: confirm and unlock in one round trip. A refused confirmation leaves the
     * commit pending, so the clean-up takes it back (the lock is already free then, but a pending
     * confirmed commit keeps other sessions from locking until it is cancelled or rolled back).
     */
    private void confirmAndUnlock() throws NetconfException {
        List<RpcReply> r = steps(List.of(Step.CONFIRM, Step.UNLOCK), List.of(Rpcs.commit(), Rpcs.unlock(target)));
        locked = !r.get(1).ok();
        if (!r.get(0).ok()) {
            throw new NetconfException.Rejected(device, Step.CONFIRM.toString(), r.get(0).errors());
        }
        confirmPending = false;
        if (locked) {
            unlockRefused(r.get(1));
        }
    }

    /**
     * Candidate: edit and commit the slots; when the commit is refused, discard and try each half
     * on its own, down to single items. Returns the committed slots.
     */
    private List<Slot<T>> commitIsolating(List<Slot<T>> slots) throws NetconfException {
        List<Slot<T>> edited = editIsolating(slots);
        if (edited.isEmpty()) {
            return edited;
        }
        RpcReply reply = step(Step.COMMIT, confirmed ? Rpcs.commitConfirmed(options.confirmTimeout()) : Rpcs.commit());
        if (reply.ok()) {
            confirmPending |= confirmed;
            return edited;
        }
        discard();
        if (edited.size() == 1) {
            fail(edited.getFirst(), Step.COMMIT, reply.errors());
            return List.of();
        }
        List<Slot<T>> committed = new ArrayList<>(commitIsolating(edited.subList(0, edited.size() / 2)));
        committed.addAll(commitIsolating(edited.subList(edited.size() / 2, edited.size())));
        return committed;
    }

    /**
     * Edits the slots into the target; a refused edit is split in halves until the refused items
     * stand alone. With rollback-on-error a refused edit leaves the target as it was; without it
     * the candidate is discarded and what was accepted is edited in again, and running is edited
     * one item at a time.
     */
    private List<Slot<T>> editIsolating(List<Slot<T>> slots) throws NetconfException {
        if (!rollbackOnError && target == Datastore.RUNNING && slots.size() > 1) {
            List<Slot<T>> accepted = new ArrayList<>();
            for (Slot<T> s : slots) {
                accepted.addAll(editIsolating(List.of(s)));
            }
            return accepted;
        }
        RpcReply reply = edit(slots);
        if (reply.ok()) {
            return slots;
        }
        if (!rollbackOnError && target == Datastore.CANDIDATE) {
            return editOneByOne(slots);
        }
        if (slots.size() == 1) {
            fail(slots.getFirst(), Step.EDIT, reply.errors());
            return List.of();
        }
        List<Slot<T>> accepted = new ArrayList<>(editIsolating(slots.subList(0, slots.size() / 2)));
        accepted.addAll(editIsolating(slots.subList(slots.size() / 2, slots.size())));
        return accepted;
    }

    /** Candidate without rollback-on-error: a refused edit may have left parts behind. */
    private List<Slot<T>> editOneByOne(List<Slot<T>> slots) throws NetconfException {
        discard();
        List<Slot<T>> accepted = new ArrayList<>();
        for (Slot<T> s : slots) {
            RpcReply reply = edit(List.of(s));
            if (reply.ok()) {
                accepted.add(s);
                continue;
            }
            fail(s, Step.EDIT, reply.errors());
            discard();
            if (!accepted.isEmpty() && !edit(accepted).ok()) {
                throw new NetconfException.Rejected(device, Step.EDIT.toString(),
                        "the device refused again items it had accepted in this transaction");
            }
        }
        return accepted;
    }

    private RpcReply edit(List<Slot<T>> slots) throws NetconfException {
        String config = codec.render(slots.stream().map(Slot::item).toList());
        edited = true;
        return step(Step.EDIT, Rpcs.editConfig(target, config, rollbackOnError));
    }

    private String readBackRpc(List<Slot<T>> slots) {
        return Rpcs.getConfig(Datastore.RUNNING, codec.readFilter(slots.stream().map(Slot::item).toList()));
    }

    /** Reads running once for all slots; a slot that does not hold there fails alone. */
    private void readBack(List<Slot<T>> slots) throws NetconfException {
        check(slots, step(Step.READ_BACK, readBackRpc(slots)));
    }

    private void check(List<Slot<T>> slots, RpcReply reply) throws NetconfException {
        if (!reply.ok()) {
            throw new NetconfException.Rejected(device, Step.READ_BACK.toString(), reply.errors());
        }
        EditCodec.ReadBack<T> check = codec.readBack(reply.dataXml());
        for (Slot<T> s : slots) {
            Optional<String> problem = check.problem(s.item());
            problem.ifPresent(p -> failures[s.index()] = new NetconfException.Rejected(device, Step.READ_BACK.toString(),
                    codec.label(s.item()) + " does not hold on the device after the commit: " + p));
        }
    }

    private void fail(Slot<T> slot, Step step, List<RpcError> errors) {
        failures[slot.index()] = new NetconfException.Rejected(device, step.toString(), errors);
        log.info("event=netconf_item_rejected device={} step=\"{}\" item=\"{}\" error=\"{}\"", device, step,
                codec.label(slot.item()), failures[slot.index()].detail());
    }

    private void discard() throws NetconfException {
        // The token goes with the discarded edits: the lock still protects this transaction, and the next one writes it.
        fenceEdited = false;
        RpcReply reply = step(Step.DISCARD, Rpcs.discardChanges());
        if (!reply.ok()) {
            throw new NetconfException.Rejected(device, Step.DISCARD.toString(), reply.errors());
        }
    }

    private void unlock() throws NetconfException {
        RpcReply reply = step(Step.UNLOCK, Rpcs.unlock(target));
        locked = false;
        if (!reply.ok()) {
            unlockRefused(reply);
        }
    }

    private void unlockRefused(RpcReply reply) {
        locked = false;
        // The change stands; ending the session is the sure way to free the lock.
        log.warn("event=netconf_unlock_refused device={} error=\"{}\"", device,
                new NetconfException.Rejected(device, Step.UNLOCK.toString(), reply.errors()).detail());
        session.abort("unlock refused");
    }

    /**
     * After a failure of the whole: take back the pending commit, drop the candidate's changes and
     * the lock. If any of that fails, or the session is already broken, ending the session makes
     * the device do the same.
     */
    private void cleanUp(NetconfException cause) {
        if (!session.isOpen()) {
            return;
        }
        try {
            if (confirmPending) {
                if (!session.supports(Capability.CONFIRMED_COMMIT_1_1)) {
                    session.abort("rolling back a confirmed commit");
                    return;
                }
                if (!step(Step.COMMIT, Rpcs.cancelCommit()).ok()) {
                    session.abort("cancel-commit refused");
                    return;
                }
                confirmPending = false;
            }
            if (edited && target == Datastore.CANDIDATE) {
                discard();
            }
            if (locked) {
                unlock();
            }
        } catch (NetconfException e) {
            log.warn("event=netconf_cleanup_failed device={} cause=\"{}\" error=\"{}\"", device, cause.getMessage(), e.getMessage());
            session.abort("clean-up failed");
        }
    }

    /**
     * Steps sent together ({@link NetconfSession#pipeline}); the listener hears of each before they
     * go. Without pipelining, one after another: every step still runs whatever the earlier answered.
     */
    private List<RpcReply> steps(List<Step> steps, List<String> operations) throws NetconfException {
        if (!options.pipelining()) {
            List<RpcReply> replies = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                replies.add(step(steps.get(i), operations.get(i)));
            }
            return replies;
        }
        for (Step s : steps) {
            listener.beforeStep(session, s);
        }
        return session.pipeline(operations, steps.stream().map(Step::toString).toList());
    }

    private RpcReply step(Step step, String operation) throws NetconfException {
        listener.beforeStep(session, step);
        try {
            return session.rpc(operation);
        } catch (NetconfException.Unreachable e) {
            throw new NetconfException.Unreachable(device, step.toString(), e.detail(), e);
        }
    }
}
