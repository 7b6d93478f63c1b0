package io.ensm.netconf.transaction;

import io.ensm.netconf.client.NetconfSession;

/** Told before each step of a transaction runs (timing, metrics; tests inject faults here). */
@FunctionalInterface
public interface TransactionListener {
    TransactionListener NONE = (session, step) -> { };

    void beforeStep(NetconfSession session, Step step);
}
