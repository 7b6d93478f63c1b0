package io.ensm.netconf.transaction;

/** The steps of a transaction, as they appear in messages and to listeners. */
public enum Step {
    LOCK("lock"),
    /** The fence leaf read right after the lock (sent with it); only with a {@link Fencing}. */
    FENCE_READ("fence read"),
    /** This hold's token written into the target, committed with the items. */
    FENCE_WRITE("fence write"),
    /** The sessions the device lists, to decide whether the lock holder's session may be ended. */
    SESSIONS("sessions"),
    /** kill-session of a stale lock holder. */
    KILL_SESSION("kill-session"),
    EDIT("edit-config"),
    COMMIT("commit"),
    READ_BACK("read-back"),
    CONFIRM("confirming commit"),
    UNLOCK("unlock"),
    DISCARD("discard-changes");

    private final String label;

    Step(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
