package io.ensm.store.etcd.client;

import io.ensm.store.etcd.wire.LeaseGrpc;
import io.ensm.store.etcd.wire.LeaseKeepAliveRequest;
import io.ensm.store.etcd.wire.LeaseKeepAliveResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one lease alive and says whether its holder may still write.
 *
 * <p>It renews every TTL/3 over a keep-alive stream to the client's current member. The state
 * follows the time since the last confirmed renewal, counted from when that renewal was sent (the
 * lease runs at least a TTL from then):
 * <ul>
 *   <li>{@link State#VALID} up to TTL/2;</li>
 *   <li>{@link State#UNCERTAIN} past TTL/2: the lease may still live but could expire before a
 *       write started now completes, so writers stop until it is VALID again;</li>
 *   <li>{@link State#LOST} once a whole TTL has passed, or when etcd says the lease is gone:
 *       final; the keeper revokes what may be left of it and stops.</li>
 * </ul>
 * A stream can end silently (a hung member keeps its connection open and answers nothing), so the
 * keeper does not wait for the stream to report an error: when a renewal is not answered within
 * TTL/12, it asks the next member as well over a stream of its own, and keeps whichever answers
 * first (a slow member is not a dead one). A stream that fails or ends moves the keeper on to the
 * next member too.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    public enum State { VALID, UNCERTAIN, LOST }

    /** Told of every change of state, on the keeper's own thread; keep it short. */
    @FunctionalInterface
    public interface Listener {
        void changed(LeaseKeeper keeper, State from, State to, String reason);

        Listener NONE = (k, f, t, r) -> { };
    }

    private sealed interface Signal {
        int stream();
    }

    private record Renewed(int stream, long ttlSeconds) implements Signal {}

    /** {@code token}: etcd refused the stream's auth token, not the stream. */
    private record Ended(int stream, String why, boolean token) implements Signal {}

    private record Wake(int stream) implements Signal {}

    private final EtcdClient client;
    private final Lease lease;
    private final Listener listener;
    private final long ttlNanos;
    private final long intervalNanos;
    private final long answerNanos;
    private final long tickNanos;
    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Thread thread;

    private volatile State state = State.VALID;
    private volatile long renewedAt;
    private volatile long renewals;
    private volatile boolean closing;
    private volatile String streamMember = "";

    // Keeper thread only: the streams, newest (the one renewals go to) last.
    private final java.util.ArrayDeque<Stream> streams = new java.util.ArrayDeque<>();
    private int generation;
    private int failures;
    private long reopenAt;

    private LeaseKeeper(EtcdClient client, Lease lease, long grantedAt, Listener listener) {
        this.client = client;
        this.lease = lease;
        this.listener = listener;
        this.ttlNanos = lease.ttl().toNanos();
        this.intervalNanos = ttlNanos / 3;
        // A silent stream must be found and replaced within the TTL/6 between the renewal due at
        // TTL/3 and the state turning UNCERTAIN at TTL/2; half that leaves time for the new stream.
        this.answerNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100), ttlNanos / 12);
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.MILLISECONDS.toNanos(50), ttlNanos / 40));
        this.renewedAt = grantedAt;
        this.reopenAt = grantedAt;
        this.thread = Thread.ofVirtual().name("etcd-lease-" + Long.toHexString(lease.id())).unstarted(this::run);
    }

    /** Keeps a lease just granted; {@code grantedAt} is the nanoTime from before the grant was sent. */
    static LeaseKeeper start(EtcdClient client, Lease lease, long grantedAt, Listener listener) {
        LeaseKeeper k = new LeaseKeeper(client, lease, grantedAt, listener);
        log.info("event=etcd-lease-granted lease={} ttl_ms={}", Long.toHexString(lease.id()), lease.ttl().toMillis());
        k.thread.start();
        return k;
    }

    public long id() {
        return lease.id();
    }

    public Lease lease() {
        return lease;
    }

    public State state() {
        return state;
    }

    /** How much longer the holder may write before the state turns UNCERTAIN, if no renewal comes first; zero when it is not VALID. */
    public Duration safeFor() {
        long left = ttlNanos / 2 - (System.nanoTime() - renewedAt);
        return state == State.VALID && left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** When the last confirmed renewal was sent (System.nanoTime), for tests of the timing. */
    long renewedAtNanos() {
        return renewedAt;
    }

    /** Confirmed renewals so far. */
    public long renewals() {
        return renewals;
    }

    /** The client URL of the member the keep-alive stream goes to now, or empty. */
    public String streamMember() {
        return streamMember;
    }

    /** One keep-alive stream to one member; keeper thread only. */
    private static final class Stream {
        final int id;
        final Members.Member member;
        final ClientCallStreamObserver<LeaseKeepAliveRequest> requests;
        final long tokenGeneration;
        long sentAt = -1;
        boolean hedged;

        Stream(int id, Members.Member member, ClientCallStreamObserver<LeaseKeepAliveRequest> requests, long tokenGeneration) {
            this.id = id;
            this.member = member;
            this.requests = requests;
            this.tokenGeneration = tokenGeneration;
        }

        void cancel() {
            try {
                requests.cancel("keep-alive stream no longer needed", null);
            } catch (RuntimeException e) {
                // Already gone.
            }
        }
    }

    private void run() {
        try {
            while (!closing && state != State.LOST) {
                Signal s = signals.poll(tickNanos, TimeUnit.NANOSECONDS);
                if (s != null) {
                    handle(s);
                }
                if (closing || state == State.LOST) {
                    break;
                }
                long now = System.nanoTime();
                Stream primary = streams.peekLast();
                if (primary == null) {
                    if (now - reopenAt >= 0) {
                        open();
                    }
                } else if (primary.sentAt >= 0 && now - primary.sentAt > answerNanos && !primary.hedged) {
                    // Slow or hung: keep waiting on it, and ask the next member too.
                    primary.hedged = true;
                    failed(primary, "no keep-alive answer within " + TimeUnit.NANOSECONDS.toMillis(answerNanos) + " ms");
                    open();
                    if (streams.peekLast() == primary) {
                        primary.hedged = false; // no other member could be asked now: try again at the next tick
                    }
                }
                primary = streams.peekLast();
                if (primary != null && primary.sentAt < 0 && now - renewedAt >= intervalNanos) {
                    send(primary, now);
                }
                follow(System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.forEach(Stream::cancel);
            streams.clear();
            streamMember = "";
        }
        if (state == State.LOST) {
            // What may be left of the lease goes, so that every replica sees the same end.
            revokeQuietly();
        }
    }

    private Stream find(int id) {
        for (Stream st : streams) {
            if (st.id == id) {
                return st;
            }
        }
        return null;
    }

    private void handle(Signal s) {
        Stream from = find(s.stream());
        if (from == null) {
            return; // a stream already given up, or a wake-up
        }
        switch (s) {
            case Renewed r when r.ttlSeconds() <= 0 -> become(State.LOST, "etcd says the lease is gone");
            case Renewed r -> {
                if (from.sentAt >= 0) {
                    renewedAt = Math.max(renewedAt, from.sentAt);
                    renewals++;
                    from.sentAt = -1;
                }
                // The stream that answered stays; the others are slower or hung.
                for (Stream other : streams) {
                    if (other != from) {
                        other.cancel();
                    }
                }
                streams.clear();
                streams.add(from);
                from.hedged = false;
                streamMember = from.member.uri().toString();
                if (failures > 0) {
                    log.info("event=etcd-lease-stream-restored lease={} member={} failed_streams={}", Long.toHexString(lease.id()),
                            from.member.name(), failures);
                    failures = 0;
                }
            }
            case Ended e when e.token() && client.members().tokens() != null -> {
                // A new token, and a new stream to the same member with it (the member is fine).
                streams.remove(from);
                from.cancel();
                client.members().tokens().stale(from.tokenGeneration, from.member.name(), e.why());
                reopenAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
                Stream last = streams.peekLast();
                streamMember = last == null ? "" : last.member.uri().toString();
            }
            case Ended e -> {
                streams.remove(from);
                from.cancel();
                failed(from, e.why());
                Stream last = streams.peekLast();
                streamMember = last == null ? "" : last.member.uri().toString();
            }
            case Wake w -> { }
        }
    }

    /** Opens a stream to the client's current member, giving up the oldest when every member has one. */
    private void open() {
        Members members = client.members();
        Members.Member m = members.current();
        if (m.unreachable()) {
            members.failed(m, "unreachable");
            return;
        }
        while (streams.size() >= members.size()) {
            streams.pollFirst().cancel();
        }
        int id = ++generation;
        long tokenGeneration = members.tokens() == null ? 0 : members.tokens().generation();
        ClientCallStreamObserver<LeaseKeepAliveRequest> requests = (ClientCallStreamObserver<LeaseKeepAliveRequest>)
                LeaseGrpc.newStub(m.channel()).leaseKeepAlive(new StreamObserver<>() {
                    @Override
                    public void onNext(LeaseKeepAliveResponse r) {
                        signals.add(new Renewed(id, r.getTTL()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        signals.add(new Ended(id, "keep-alive stream failed: " + t.getMessage(),
                                t instanceof StatusRuntimeException e && Tokens.refusesToken(e)));
                    }

                    @Override
                    public void onCompleted() {
                        signals.add(new Ended(id, "keep-alive stream ended by the member", false));
                    }
                });
        streams.addLast(new Stream(id, m, requests, tokenGeneration));
        streamMember = m.uri().toString();
    }

    private void send(Stream st, long now) {
        try {
            st.requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(lease.id()).build());
            st.sentAt = now;
        } catch (RuntimeException e) {
            streams.remove(st);
            st.cancel();
            failed(st, "keep-alive send failed: " + e.getMessage());
        }
    }

    /** A stream failed or is late: the client moves on to the next member; a streak of failures slows the retries. */
    private void failed(Stream st, String why) {
        if (failures++ == 0) {
            log.info("event=etcd-lease-stream-lost lease={} member={} reason=\"{}\"", Long.toHexString(lease.id()), st.member.name(), why);
        }
        if (failures >= client.members().size() && streams.isEmpty()) {
            // Every member failed in turn (no leader during an election): retry at a calmer pace.
            reopenAt = System.nanoTime() + Math.min(answerNanos, TimeUnit.MILLISECONDS.toNanos(50));
        }
        client.members().failed(st.member, why);
    }

    private void follow(long now) {
        long age = now - renewedAt;
        if (age >= ttlNanos) {
            become(State.LOST, "no renewal confirmed for " + TimeUnit.NANOSECONDS.toMillis(age) + " ms (ttl "
                    + lease.ttl().toMillis() + " ms)");
        } else if (age > ttlNanos / 2) {
            become(State.UNCERTAIN, "no renewal confirmed for " + TimeUnit.NANOSECONDS.toMillis(age) + " ms (over half the ttl)");
        } else {
            become(State.VALID, "renewed");
        }
    }

    private void become(State to, String reason) {
        State from = state;
        if (from == to || from == State.LOST) {
            return;
        }
        state = to;
        String id = Long.toHexString(lease.id());
        if (to == State.VALID) {
            log.info("event=etcd-lease-state lease={} from={} to={} reason=\"{}\"", id, from, to, reason);
        } else {
            log.warn("event=etcd-lease-state lease={} from={} to={} reason=\"{}\"", id, from, to, reason);
        }
        try {
            listener.changed(this, from, to, reason);
        } catch (RuntimeException e) {
            log.warn("event=etcd-lease-listener-failed lease={} error=\"{}\"", id, e.toString());
        }
    }

    private void revokeQuietly() {
        try {
            client.revoke(lease.id());
        } catch (EtcdException e) {
            log.info("event=etcd-lease-revoke-failed lease={} reason=\"{}\"", Long.toHexString(lease.id()), e.getMessage());
        }
    }

    /** Stops renewing and revokes the lease: the keys bound to it vanish now rather than after the TTL. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        signals.add(new Wake(0));
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(ttlNanos) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (state != State.LOST) {
            revokeQuietly();
            become(State.LOST, "closed");
        }
    }
}
