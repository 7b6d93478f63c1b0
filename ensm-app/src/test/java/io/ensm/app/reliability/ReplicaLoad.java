package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.testing.Requests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady mix of Requests, refreshes and Closes on every endpoint it is given of a
 * {@link ReplicaBed}, one caller per endpoint, each sent to the replica the caller believes serves the box and following a refusal's
 * "served by ensm replica 'X'" to X, as a client of the NSM registry would. Remembers what the
 * service answered, so that a check can tell what must be on the boxes (held), what must be gone
 * (closed) and what may be either way (a call that failed without a clean refusal).
 */
final class ReplicaLoad {
    /** Connections per box the callers keep between these bounds. */
    private static final int MIN_HELD = 2;
    private static final int MAX_HELD = 5;
    /** Members per endpoint of a segment: down to none now and then, so that boxes leave and join it again. */
    private static final int MAX_MEMBERS = 3;
    private static final Duration LIFETIME = Duration.ofMinutes(2);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(8);

    /** A connection the service made and has not been asked to close; {@code expires} as last asked. */
    record Held(String id, String box, NetworkServiceRequest request, Connection reply, Instant expires) {}

    private final ReplicaBed bed;
    private final List<String> endpoints;
    private final Random random;
    private final Map<String, String> believed = new ConcurrentHashMap<>();
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Set<String> closed = ConcurrentHashMap.newKeySet();
    private final Map<String, Held> uncertain = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private volatile boolean running;
    private final List<Thread> callers = new ArrayList<>();

    ReplicaLoad(ReplicaBed bed, long seed) {
        this(bed, ReplicaBed.BOXES, seed);
    }

    ReplicaLoad(ReplicaBed bed, List<String> endpoints, long seed) {
        this.bed = bed;
        this.endpoints = List.copyOf(endpoints);
        this.random = new Random(seed);
        endpoints.forEach(b -> believed.put(b, ReplicaBed.REPLICAS.getFirst()));
    }

    void start() {
        counts.clear();
        running = true;
        for (String box : endpoints) {
            long seed;
            synchronized (random) {
                seed = random.nextLong();
            }
            callers.add(Thread.ofVirtual().name("load-" + box).start(() -> run(box, new Random(seed))));
        }
    }

    /** Stops the callers and waits for the calls under way. */
    void stop() {
        running = false;
        for (Thread t : callers) {
            try {
                t.join(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        callers.clear();
    }

    Map<String, Held> held() {
        return Map.copyOf(held);
    }

    Set<String> closed() {
        return Set.copyOf(closed);
    }

    void forgetClosed(java.util.Collection<String> ids) {
        closed.removeAll(ids);
    }

    Set<String> uncertain() {
        return Set.copyOf(uncertain.keySet());
    }

    /** Outcomes since the last start: "request ok", "close UNAVAILABLE", ... -> count. */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void run(String box, Random r) {
        boolean segment = ReplicaBed.SEGMENT_ENDPOINTS.contains(box);
        int min = segment ? 0 : MIN_HELD;
        int max = segment ? MAX_MEMBERS : MAX_HELD;
        while (running) {
            List<Held> mine = held.values().stream().filter(h -> h.box().equals(box)).toList();
            List<Held> unsure = uncertain.values().stream().filter(h -> h.box().equals(box)).toList();
            int roll = r.nextInt(100);
            if (!unsure.isEmpty() && roll < 20) {
                close(unsure.get(r.nextInt(unsure.size())));
            } else if (mine.isEmpty() || mine.size() < min || (mine.size() < max && roll < 45)) {
                request(box);
            } else if (mine.size() >= max || roll >= 80) {
                close(mine.get(r.nextInt(mine.size())));
            } else {
                refresh(mine.get(r.nextInt(mine.size())));
            }
            NetconfBox.sleep(100 + r.nextInt(200));
        }
    }

    private void request(String box) {
        NetworkServiceRequest request = Requests.request().service(ReplicaBed.serviceOf(box)).endpoint(box).mechanisms(Requests.vlan())
                .expires(Instant.now().plus(LIFETIME)).build();
        // a Request without an answer leaves an id the caller never learns: the check of boxes against the store covers it
        call("request", box, stub -> {
            Connection reply = stub.request(request);
            String id = Lab.ownId(reply);
            held.put(id, new Held(id, box, request, reply, expiryOf(request)));
        });
    }

    private void refresh(Held h) {
        NetworkServiceRequest refresh = Requests.refreshOf(h.request(), h.reply(), Instant.now().plus(LIFETIME));
        Outcome o = call("refresh", h.box(),
                stub -> held.put(h.id(), new Held(h.id(), h.box(), h.request(), stub.request(refresh), expiryOf(refresh))));
        if (o == Outcome.FAILED) {
            // not a refusal: the service may have dropped it
            held.remove(h.id());
            uncertain.put(h.id(), h);
        }
    }

    private void close(Held h) {
        // Until the answer, the connection may be there or not.
        held.remove(h.id());
        uncertain.put(h.id(), h);
        if (call("close", h.box(), stub -> stub.close(h.reply())) == Outcome.OK) {
            uncertain.remove(h.id());
            closed.add(h.id());
        }
    }

    private static Instant expiryOf(NetworkServiceRequest r) {
        var t = r.getConnection().getPath().getPathSegments(0).getExpires();
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private enum Outcome { OK, REFUSED, FAILED }

    /** One call, following up to three refusals that name another replica. */
    private Outcome call(String kind, String box, java.util.function.Consumer<NetworkServiceGrpc.NetworkServiceBlockingStub> send) {
        String target = believed.get(box);
        for (int hop = 0; hop < 4; hop++) {
            try {
                send.accept(bed.ns(target).withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
                count(kind + " ok");
                return Outcome.OK;
            } catch (StatusRuntimeException e) {
                Optional<String> named = ReplicaBed.servedBy(e);
                if (named.isPresent() && !named.get().equals(target) && ReplicaBed.REPLICAS.contains(named.get())) {
                    target = named.get();
                    believed.put(box, target);
                    continue;
                }
                count(kind + " " + e.getStatus().getCode());
                switch (e.getStatus().getCode()) {
                    case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED -> { }
                    // anything else is a finding: say what it was, with the replica that answered
                    default -> System.out.printf("replica load: %s of %s at %s answered %s: %s%n", kind, box, target,
                            e.getStatus().getCode(), e.getStatus().getDescription());
                }
                if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                    // down, paused, or still adopting the box: ask the next replica next time
                    int next = (ReplicaBed.REPLICAS.indexOf(target) + 1) % ReplicaBed.REPLICAS.size();
                    believed.put(box, ReplicaBed.REPLICAS.get(next));
                    return Outcome.REFUSED;
                }
                return Outcome.FAILED;
            }
        }
        return Outcome.REFUSED;
    }

    private void count(String outcome) {
        counts.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
    }
}
