package io.ensm.store.etcd.client;

import io.ensm.store.etcd.wire.Event;
import io.ensm.store.etcd.wire.WatchCreateRequest;
import io.ensm.store.etcd.wire.WatchGrpc;
import io.ensm.store.etcd.wire.WatchProgressRequest;
import io.ensm.store.etcd.wire.WatchRequest;
import io.ensm.store.etcd.wire.WatchResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A watch on every key under a prefix, from a revision on. Events reach the listener in revision
 * order, each revision's events in one call, each exactly once: when the stream breaks, or goes
 * silent (its member asked for progress and answered nothing within two probe intervals), the
 * watch starts again on another member from the revision after the last one delivered.
 * If etcd has compacted that revision away, the listener hears {@link Listener#compacted} and the
 * watch stops: the caller reads a fresh {@link Snapshot} and watches from there.
 */
public final class Watch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watch.class);

    /** Called on the watch's own thread, one call at a time. */
    public interface Listener {
        /** The changes of one or more revisions, in order; {@code revision} is that of the last. */
        void events(List<WatchEvent> events, long revision);

        /** The watch cannot go on: history before {@code compactRevision} is gone. The watch has stopped. */
        void compacted(long compactRevision);
    }

    private sealed interface Signal {
        int stream();
    }

    private record Message(int stream, WatchResponse response) implements Signal {}

    /** {@code token}: etcd refused the stream's auth token, not the stream. */
    private record Ended(int stream, String why, boolean token) implements Signal {}

    private final EtcdClient client;
    private final String prefix;
    private final Listener listener;
    private final long probeNanos;
    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Thread thread;

    private volatile long next;
    private volatile boolean closing;
    private volatile boolean stopped;
    private volatile int starts;
    private volatile String streamMember = "";

    // Watch thread only.
    private int generation;
    private Members.Member member;
    private long tokenGeneration;
    private ClientCallStreamObserver<WatchRequest> requests;
    private long heardAt;
    private long probedAt;
    private int failures;
    private long reopenAt = System.nanoTime();

    private Watch(EtcdClient client, String prefix, long fromRevision, Listener listener) {
        Keys.bytes(prefix);
        if (fromRevision < 0) {
            throw new IllegalArgumentException("watch " + prefix + ": revision must not be negative, not " + fromRevision);
        }
        this.client = client;
        this.prefix = prefix;
        this.listener = listener;
        this.next = fromRevision;
        this.probeNanos = client.settings().watchProbe().toNanos();
        this.thread = Thread.ofVirtual().name("etcd-watch-" + prefix).unstarted(this::run);
    }

    static Watch start(EtcdClient client, String prefix, long fromRevision, Listener listener) {
        Watch w = new Watch(client, prefix, fromRevision, listener);
        w.thread.start();
        return w;
    }

    /** The revision the watch would resume from (0 before it has started from "now"). */
    public long nextRevision() {
        return next;
    }

    /** How many streams the watch has opened: 1 when it never had to resume. */
    public int starts() {
        return starts;
    }

    /** The client URL of the member the stream goes to now, or empty. */
    public String streamMember() {
        return streamMember;
    }

    /** True once the watch has stopped for good (closed, or compacted). */
    public boolean stopped() {
        return stopped;
    }

    private void run() {
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.MILLISECONDS.toNanos(50), probeNanos / 10));
        try {
            while (!closing && !stopped) {
                if (requests == null && System.nanoTime() - reopenAt >= 0) {
                    open();
                }
                Signal s = signals.poll(tick, TimeUnit.NANOSECONDS);
                if (s != null && s.stream() == generation) {
                    switch (s) {
                        case Message m -> receive(m.response());
                        case Ended e when e.token() -> renewToken(e.why());
                        case Ended e -> drop(e.why());
                    }
                }
                long now = System.nanoTime();
                if (requests != null && now - heardAt > 2 * probeNanos) {
                    drop("no answer from the member for " + TimeUnit.NANOSECONDS.toMillis(now - heardAt) + " ms");
                } else if (requests != null && now - probedAt >= probeNanos) {
                    probe(now);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeStream();
            stopped = true;
        }
    }

    private void open() {
        Members members = client.members();
        Members.Member m = members.current();
        if (m.unreachable()) {
            members.failed(m, "unreachable");
            reopenAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            return;
        }
        int gen = ++generation;
        member = m;
        tokenGeneration = members.tokens() == null ? 0 : members.tokens().generation();
        streamMember = m.uri().toString();
        requests = (ClientCallStreamObserver<WatchRequest>) WatchGrpc.newStub(m.channel()).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                signals.add(new Message(gen, r));
            }

            @Override
            public void onError(Throwable t) {
                signals.add(new Ended(gen, "watch stream failed: " + t.getMessage(),
                        t instanceof StatusRuntimeException e && Tokens.refusesToken(e)));
            }

            @Override
            public void onCompleted() {
                signals.add(new Ended(gen, "watch stream ended by the member", false));
            }
        });
        long now = System.nanoTime();
        heardAt = now;
        probedAt = now;
        starts++;
        try {
            requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(Keys.bytes(prefix)).setRangeEnd(Keys.prefixEnd(prefix)).setStartRevision(next)
                    .setProgressNotify(true)).build());
        } catch (RuntimeException e) {
            drop("watch create failed: " + e.getMessage());
            return;
        }
    }

    private void receive(WatchResponse r) {
        heardAt = System.nanoTime();
        if (r.getCreated() && failures > 0) {
            log.info("event=etcd-watch-resumed prefix={} member={} from_revision={} failed_streams={}", prefix, member.name(), next,
                    failures);
            failures = 0;
        }
        if (r.getCompactRevision() > 0) {
            log.warn("event=etcd-watch-compacted prefix={} from_revision={} compact_revision={}", prefix, next, r.getCompactRevision());
            stopped = true;
            listener.compacted(r.getCompactRevision());
            return;
        }
        if (r.getCanceled() && Tokens.refusesToken(r.getCancelReason())) {
            renewToken("watch canceled by the member: " + r.getCancelReason());
            return;
        }
        if (r.getCanceled()) {
            drop("watch canceled by the member: " + r.getCancelReason());
            return;
        }
        if (r.getCreated() && next == 0) {
            // Started from "now": a resumption must not skip what happens after this revision.
            next = r.getHeader().getRevision() + 1;
        }
        if (r.getEventsCount() == 0) {
            return;
        }
        List<WatchEvent> events = new ArrayList<>(r.getEventsCount());
        long last = 0;
        for (Event e : r.getEventsList()) {
            Entry entry = Entry.of(e.getKv());
            if (entry.modRevision() < next) {
                continue; // already delivered by an earlier stream
            }
            events.add(new WatchEvent(e.getType() == Event.EventType.DELETE ? WatchEvent.Type.DELETE : WatchEvent.Type.PUT, entry));
            last = entry.modRevision();
        }
        if (events.isEmpty()) {
            return;
        }
        try {
            listener.events(List.copyOf(events), last);
        } catch (RuntimeException e) {
            log.warn("event=etcd-watch-listener-failed prefix={} revision={} error=\"{}\"", prefix, last, e.toString());
        }
        next = last + 1;
    }

    private void probe(long now) {
        probedAt = now;
        try {
            requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
        } catch (RuntimeException e) {
            drop("watch progress request failed: " + e.getMessage());
        }
    }

    /**
     * etcd refused the stream's token (it checks it when a watch is created): a new token, and a new
     * stream to the same member with it; the member is fine. A watch that started before the token
     * went stale goes on.
     */
    private void renewToken(String why) {
        Tokens tokens = client.members().tokens();
        if (tokens == null) {
            drop(why);
            return;
        }
        Members.Member was = member;
        closeStream();
        tokens.stale(tokenGeneration, was.name(), why);
        reopenAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    }

    private void drop(String why) {
        if (requests == null) {
            return;
        }
        Members.Member was = member;
        closeStream();
        if (!closing) {
            if (failures++ == 0) {
                log.info("event=etcd-watch-stream-lost prefix={} member={} next_revision={} reason=\"{}\"", prefix, was.name(), next, why);
            }
            if (failures >= client.members().size()) {
                // Every member failed in turn (no leader during an election): retry at a calmer pace.
                reopenAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            }
            client.members().failed(was, why);
        }
    }

    private void closeStream() {
        if (requests != null) {
            try {
                requests.cancel("watch stream replaced", null);
            } catch (RuntimeException e) {
                // Already gone.
            }
        }
        requests = null;
        member = null;
        streamMember = "";
        generation++;
    }

    @Override
    public void close() {
        closing = true;
        signals.add(new Ended(-1, "closed", false));
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
