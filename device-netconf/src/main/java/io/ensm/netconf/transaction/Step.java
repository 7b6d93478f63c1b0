package io.ensm.netconf.transaction;

/** The steps of a transaction, as they appear in messages and to listeners. */
public enum Step {
    LOCK("lock"),
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
