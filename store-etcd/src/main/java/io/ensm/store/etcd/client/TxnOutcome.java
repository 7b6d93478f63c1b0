package io.ensm.store.etcd.client;

/** What a guarded write did. */
public sealed interface TxnOutcome {

    /** The write applied at this revision. */
    record Done(long revision) implements TxnOutcome {}

    /** Create-if-absent: the key exists already, as shown; nothing was written. */
    record Exists(Entry current) implements TxnOutcome {}

    /** Compare-and-swap: the key is no longer at the expected revision; it now holds {@code current}, or nothing (null). */
    record Changed(Entry current) implements TxnOutcome {}

    /**
     * Compare-and-swap with keys that must be absent: some of them exist, as shown in
     * {@code present}; the guarded key holds {@code current} (null: nothing); nothing was written.
     */
    record Taken(Entry current, java.util.List<Entry> present) implements TxnOutcome {
        public Taken {
            present = java.util.List.copyOf(present);
        }
    }

    /** The fence no longer holds: its key is gone (0) or was created again at {@code currentToken}; nothing was written. */
    record Fenced(Fence fence, long currentToken) implements TxnOutcome {}
}
