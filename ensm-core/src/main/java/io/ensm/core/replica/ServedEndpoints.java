package io.ensm.core.replica;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoints this replica answers for: held, and loaded. A hold is taken before the endpoint's
 * connections are loaded and verified; until then a refresh would look like a new connection, so
 * calls wait for {@link #ready}. A hold lost is no longer served at once, whatever is loaded.
 */
public final class ServedEndpoints {
    private final Ownership ownership;
    private final Set<String> ready = ConcurrentHashMap.newKeySet();

    public ServedEndpoints(Ownership ownership) {
        this.ownership = ownership;
    }

    /** Every endpoint, always: the only replica. */
    public static ServedEndpoints sole(String name) {
        return new ServedEndpoints(new SoleReplica(new Ownership.Replica(name, "")));
    }

    public boolean serves(String endpoint) {
        return ownership.sole() || ready.contains(endpoint) && ownership.hold(endpoint).isPresent();
    }

    /** Who serves the endpoint, for a caller sent elsewhere. */
    public Optional<Ownership.Replica> servedBy(String endpoint) {
        return ownership.servedBy(endpoint).filter(r -> !r.name().equals(ownership.self().name()));
    }

    public Ownership ownership() {
        return ownership;
    }

    /** The endpoint's connections are loaded and verified: its calls may come. */
    public void ready(String endpoint) {
        ready.add(endpoint);
    }

    /** The endpoint is no longer served here. */
    public void notReady(String endpoint) {
        ready.remove(endpoint);
    }
}
