package io.ensm.core.store;

/** Where a connection is in its lifecycle, as persisted. */
public enum Phase {
    /** Intent stored, backend or forwarder may be half-done: rolled back at start. */
    PENDING,
    /** Backend and forwarder done and verified: kept across restarts. */
    APPLIED,
    /** Close started but a backend or forwarder step failed: retried until released. */
    RELEASING
}
