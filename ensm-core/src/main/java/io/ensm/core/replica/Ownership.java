package io.ensm.core.replica;

import java.util.Collection;
import java.util.Optional;

/**
 * Which replica of an ensm cluster serves each endpoint. Exactly one replica at a time holds an
 * endpoint: it alone writes the endpoint's device or VIM, reconciles its connections, answers its
 * Requests and keeps its NSE registered. A single ensm holds every endpoint ({@link SoleReplica});
 * replicas on a shared store take endpoints from the store's lease-bound owner keys.
 *
 * <p>Every hold carries a fence: a number that grows each time the endpoint changes hands. Writes
 * made under an older fence than the endpoint's current one are refused by the store (and by
 * devices that keep a fence), so a replica that lost an endpoint without noticing (a long pause, a
 * partition) cannot overwrite its successor's work.
 */
public interface Ownership extends AutoCloseable {

    /**
     * Starts following the endpoints. Holds taken before this returns are reported to the listener
     * before it returns; later changes arrive on the implementation's threads, one at a time.
     */
    void start(Collection<String> endpoints, Listener listener);

    /** Follows one more endpoint (found at run time). */
    void add(String endpoint);

    /** Stops following an endpoint (removed at run time), giving up its hold if this replica had it. */
    void remove(String endpoint);

    /** This replica's hold on the endpoint, while it has one. */
    Optional<Hold> hold(String endpoint);

    /** The replica serving the endpoint, as far as this replica knows; empty when none does now. */
    Optional<Replica> servedBy(String endpoint);

    /** This replica. */
    Replica self();

    /** True when this is the only replica (no other can ever hold an endpoint). */
    boolean sole();

    @Override
    void close();

    /** A replica: its name and the URL NSM managers reach it at. */
    record Replica(String name, String url) {}

    /**
     * This replica's hold on an endpoint.
     *
     * @param fence grows each time the endpoint changes hands; 0 for the sole replica
     */
    record Hold(String endpoint, long fence) {}

    /** Hears of holds taken and lost. */
    interface Listener {
        /** This replica now serves the endpoint: load, verify and register it. */
        void acquired(Hold hold);

        /** This replica no longer serves the endpoint: stop writing it at once, leave its work in place. */
        void lost(String endpoint, String reason);
    }
}
