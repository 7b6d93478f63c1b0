package io.ensm.forwarder.bridge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What one connect changed, so that a failure half-way can be undone in reverse. Only what this
 * connect created or changed is undone; links that were already there stay.
 */
final class Transaction {
    private static final Logger log = LoggerFactory.getLogger(Transaction.class);

    private record Step(String description, Runnable undo) {}

    private final String connectionId;
    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<String> done = new ArrayList<>();

    Transaction(String connectionId) {
        this.connectionId = connectionId;
    }

    /** Records a change and how to take it back. */
    void did(String description, Runnable undo) {
        steps.push(new Step(description, undo));
        done.add(description);
    }

    /** What this transaction changed, in order; empty when everything was already in place. */
    List<String> changes() {
        return List.copyOf(done);
    }

    /**
     * Undoes every recorded change, newest first; an undo that fails is logged and the rest still run.
     *
     * @return a sentence for the error message: what was undone, or what could not be
     */
    String rollback() {
        List<String> undone = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            try {
                s.undo().run();
                undone.add(s.description());
                log.info("event=cross-connect-undo connection={} undone=\"{}\"", connectionId, s.description());
            } catch (RuntimeException e) {
                failed.add(s.description());
                log.error("event=cross-connect-undo-failed connection={} step=\"{}\" reason=\"{}\"", connectionId, s.description(), e.getMessage());
            }
        }
        if (!failed.isEmpty()) {
            return "could not undo: " + String.join(", ", failed) + " (marked links are removed by the next orphan sweep)";
        }
        return undone.isEmpty() ? "nothing had been changed" : "undone: " + String.join(", ", undone);
    }
}
