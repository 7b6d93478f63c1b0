package io.ensm.core.replica;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only replica: it holds every endpoint, from the start, with fence 0. Endpoints it follows are
 * reported to the listener once, so the runtime treats a single ensm like a replica that took all.
 */
public final class SoleReplica implements Ownership {
    private final Replica self;
    private final Set<String> endpoints = ConcurrentHashMap.newKeySet();
    private volatile Listener listener;

    public SoleReplica(Replica self) {
        this.self = self;
    }

    @Override
    public void start(Collection<String> names, Listener listener) {
        this.listener = listener;
        names.forEach(this::add);
    }

    @Override
    public void add(String endpoint) {
        if (endpoints.add(endpoint) && listener != null) {
            listener.acquired(new Hold(endpoint, 0));
        }
    }

    @Override
    public void remove(String endpoint) {
        endpoints.remove(endpoint);
    }

    @Override
    public Optional<Hold> hold(String endpoint) {
        return Optional.of(new Hold(endpoint, 0));
    }

    @Override
    public Optional<Replica> servedBy(String endpoint) {
        return Optional.of(self);
    }

    @Override
    public Replica self() {
        return self;
    }

    @Override
    public boolean sole() {
        return true;
    }

    @Override
    public void close() {
        endpoints.clear();
    }
}
