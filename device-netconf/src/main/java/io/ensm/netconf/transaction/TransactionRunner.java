package io.ensm.netconf.transaction;

import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;

import java.util.List;

/**
 * Applies a batch of items to a device in one locked transaction:
 * <ol>
 * <li>lock the candidate (bounded retry while another session holds it; BUSY naming the holder);</li>
 * <li>edit-config with rollback-on-error; an item the device refuses is isolated by splitting the
 *     batch, so it fails alone while its neighbours go on;</li>
 * <li>confirmed commit; a commit-time refusal is isolated the same way;</li>
 * <li>read back every item from running through the codec (this server can drop a change), sent
 *     in the same write as the commit, since a read cannot change anything;</li>
 * <li>confirming commit in the same session, and unlock in the same write.</li>
 * </ol>
 * Lock and edit each wait for their reply: what follows depends on them (see docs/decisions.md).
 * On any failure of the whole: cancel the pending commit, discard-changes, unlock, and report the
 * step; if the session broke, its end makes the device roll back and drop the lock. A device
 * without :candidate gets the same on running with rollback-on-error (no commit). With
 * {@link TransactionOptions#confirmedCommit()} off (or a device without :confirmed-commit) the
 * commit is a plain one and the read-back follows it.
 */
public final class TransactionRunner {
    private final TransactionOptions options;
    private final TransactionListener listener;

    public TransactionRunner() {
        this(TransactionOptions.DEFAULTS, TransactionListener.NONE);
    }

    public TransactionRunner(TransactionOptions options, TransactionListener listener) {
        this.options = options;
        this.listener = listener;
    }

    public TransactionOptions options() {
        return options;
    }

    /**
     * Runs the transaction. Returns one result per item in order (each applied, or failed alone);
     * throws when the transaction as a whole failed, in which case nothing was applied (or, if the
     * session broke after the confirmed commit, the device rolls it back when the session ends).
     */
    public <T> List<ItemResult<T>> run(NetconfSession session, List<T> items, EditCodec<T> codec) throws NetconfException {
        return run(session, items, codec, null, null);
    }

    /**
     * As {@link #run(NetconfSession, List, EditCodec)}, fenced: right after the lock the fence leaf
     * is read (in the same write as the lock); a newer token there fails the whole transaction with
     * {@link NetconfException.Fenced} and nothing is written; an older one (or none) is replaced by
     * this hold's token in the same commit as the items. With no items, only the token is written
     * (when the device does not hold it yet). {@code fencing} and {@code staleLocks} may be null.
     */
    public <T> List<ItemResult<T>> run(NetconfSession session, List<T> items, EditCodec<T> codec, Fencing fencing,
                                       StaleLocks staleLocks) throws NetconfException {
        if (items.isEmpty() && fencing == null) {
            return List.of();
        }
        return new Transaction<>(session, items, codec, options, listener, fencing, staleLocks).run();
    }
}
