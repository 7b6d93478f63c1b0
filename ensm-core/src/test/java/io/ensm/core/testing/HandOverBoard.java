package io.ensm.core.testing;

import io.ensm.core.replica.Ownership;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who holds which endpoint among replicas in one test JVM, moved by the test: the contract an
 * {@link Ownership} keeps (one holder at a time, a fence that grows at each hand-over, the old
 * holder told before the new one), without a shared store's leases and timing. An endpoint no
 * replica holds goes to the first replica that follows it (as an owner key created only where
 * absent); one its holder stops following goes to another replica that follows it.
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

    /** The replica holding the endpoint now, if any. */
    public synchronized Optional<String> holder(String endpoint) {
        return Optional.ofNullable(holders.get(endpoint));
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

        private final java.util.Set<String> followed = new java.util.LinkedHashSet<>();

        @Override
        public void start(Collection<String> endpoints, Listener listener) {
            this.listener = listener;
            endpoints.forEach(this::add);
        }

        @Override
        public void add(String endpoint) {
            synchronized (HandOverBoard.this) {
                followed.add(endpoint);
                if (!holders.containsKey(endpoint)) {
                    holders.put(endpoint, self.name());
                    fences.merge(endpoint, 1L, Long::sum);
                }
            }
            Listener l = listener;
            if (l != null) {
                hold(endpoint).ifPresent(l::acquired);
            }
        }

        @Override
        public void remove(String endpoint) {
            boolean held;
            Member next = null;
            long fence = 0;
            synchronized (HandOverBoard.this) {
                followed.remove(endpoint);
                held = self.name().equals(holders.get(endpoint));
                if (held) {
                    holders.remove(endpoint);
                    next = replicas.values().stream().filter(r -> r.followed.contains(endpoint)).findFirst().orElse(null);
                    if (next != null) {
                        holders.put(endpoint, next.self.name());
                        fence = fences.merge(endpoint, 1L, Long::sum);
                    }
                }
            }
            Listener l = listener;
            if (held && l != null) {
                l.lost(endpoint, "endpoint removed");
            }
            if (next != null && next.listener != null) {
                next.listener.acquired(new Hold(endpoint, fence));
            }
        }

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
                followed.clear();
            }
            Listener l = listener;
            if (l != null) {
                given.forEach(e -> l.lost(e, "replica stopping"));
            }
            listener = null;
        }
    }
}
