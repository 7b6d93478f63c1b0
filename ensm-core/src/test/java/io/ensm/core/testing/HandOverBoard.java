package io.ensm.core.testing;

import io.ensm.core.replica.Ownership;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who holds which endpoint among replicas in one test JVM, moved by the test: the contract an
 * {@link Ownership} keeps (one holder at a time, a fence that grows at each hand-over, the old
 * holder told before the new one), without a shared store's leases and timing.
 */
public final class HandOverBoard {
    private final Map<String, String> holders = new HashMap<>();
    private final Map<String, Long> fences = new HashMap<>();
    private final Map<String, Member> replicas = new HashMap<>();

    /** Gives the endpoint to a replica before any replica starts. */
    public synchronized HandOverBoard assign(String endpoint, String replica) {
        holders.put(endpoint, replica);
        fences.merge(endpoint, 1L, Long::sum);
        return this;
    }

    /** The ownership of one replica on this board. */
    public synchronized Ownership replica(String name, String url) {
        Member r = new Member(new Ownership.Replica(name, url));
        replicas.put(name, r);
        return r;
    }

    /** Hands the endpoint to another replica: the old holder hears of it first. */
    public void move(String endpoint, String to) {
        Member from;
        Member next;
        long fence;
        synchronized (this) {
            from = replicas.get(holders.get(endpoint));
            holders.put(endpoint, to);
            fence = fences.merge(endpoint, 1L, Long::sum);
            next = replicas.get(to);
        }
        if (from != null && from.listener != null) {
            from.listener.lost(endpoint, "moved to " + to);
        }
        if (next != null && next.listener != null) {
            next.listener.acquired(new Ownership.Hold(endpoint, fence));
        }
    }

    private final class Member implements Ownership {
        private final Ownership.Replica self;
        private volatile Listener listener;

        Member(Ownership.Replica self) {
            this.self = self;
        }

        @Override
        public void start(Collection<String> endpoints, Listener listener) {
            this.listener = listener;
            for (String e : endpoints) {
                hold(e).ifPresent(listener::acquired);
            }
        }

        @Override
        public void add(String endpoint) {}

        @Override
        public void remove(String endpoint) {}

        @Override
        public Optional<Hold> hold(String endpoint) {
            synchronized (HandOverBoard.this) {
                return self.name().equals(holders.get(endpoint)) ? Optional.of(new Hold(endpoint, fences.get(endpoint))) : Optional.empty();
            }
        }

        @Override
        public Optional<Ownership.Replica> servedBy(String endpoint) {
            synchronized (HandOverBoard.this) {
                Member r = replicas.get(holders.get(endpoint));
                return r == null ? Optional.empty() : Optional.of(r.self);
            }
        }

        @Override
        public Ownership.Replica self() {
            return self;
        }

        @Override
        public boolean sole() {
            return false;
        }

        /** Gives every hold up, telling the listener, as a replica that stops does. */
        @Override
        public void close() {
            java.util.List<String> given = new java.util.ArrayList<>();
            synchronized (HandOverBoard.this) {
                holders.forEach((endpoint, holder) -> {
                    if (holder.equals(self.name())) {
                        given.add(endpoint);
                    }
                });
                given.forEach(holders::remove);
            }
            Listener l = listener;
            if (l != null) {
                given.forEach(e -> l.lost(e, "replica stopping"));
            }
            listener = null;
        }
    }
}
