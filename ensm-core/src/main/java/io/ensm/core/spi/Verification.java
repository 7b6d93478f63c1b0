package io.ensm.core.spi;

/** What a read-back of one connection's objects found. */
public enum Verification {
    /** Everything ensm wrote is there, as written. */
    PRESENT,
    /** Nothing is there. */
    MISSING,
    /** Something is there but differs from the intent. */
    DRIFTED
}
