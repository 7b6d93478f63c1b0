package io.ensm.netconf.transaction;

import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.session.SessionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit for one device: items submitted while a transaction runs are batched into the next
 * one, so N concurrent callers cost about one lock/commit/read-back instead of N. One worker runs
 * the transactions one after another (they would only contend for the device's lock otherwise).
 * An item the device refuses fails alone; a failure of the whole transaction fails its batch.
 * Items are applied in submission order; callers keep a change and its undo of the same object
 * apart in time (ensm serializes per connection).
 */
public final class GroupCommitter<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    private record Pending<T>(T item, CompletableFuture<Void> done) {}

    private final SessionPool pool;
    private final TransactionRunner runner;
    private final EditCodec<T> codec;
    private final int maxBatch;
    private final Guard guard;
    private final LinkedBlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;

    /**
     * What each transaction runs under, asked once per batch: its fence and the rule for a stale
     * lock holder (both null for the only replica).
     */
    public interface Guard {
        Guard NONE = () -> new Terms(null, null);

        /** Throws (Fenced) when this process may not write the device at all. */
        Terms terms() throws NetconfException;

        /** A transaction under {@code terms} went through (its fence, if any, is on the device now). */
        default void held(Terms terms) {}

        record Terms(Fencing fencing, StaleLocks staleLocks) {}
    }

    /** @param maxBatch most items in one transaction; 1 gives one transaction per item */
    public GroupCommitter(SessionPool pool, TransactionRunner runner, EditCodec<T> codec, int maxBatch) {
        this(pool, runner, codec, maxBatch, Guard.NONE);
    }

    /** As {@link #GroupCommitter(SessionPool, TransactionRunner, EditCodec, int)}, each transaction under {@code guard}. */
    public GroupCommitter(SessionPool pool, TransactionRunner runner, EditCodec<T> codec, int maxBatch, Guard guard) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.pool = pool;
        this.runner = runner;
        this.codec = codec;
        this.maxBatch = maxBatch;
        this.guard = guard;
        this.worker = Thread.ofVirtual().name("netconf-group-commit-" + device()).start(this::work);
    }

    private String device() {
        return pool.config().name();
    }

    /** Queues the item; the future completes when it is applied, or exceptionally with a {@link NetconfException}. */
    public CompletableFuture<Void> submit(T item) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(closing());
            return done;
        }
        queue.add(new Pending<>(item, done));
        if (closed && queue.remove(new Pending<>(item, done))) {
            done.completeExceptionally(closing());
        }
        return done;
    }

    /**
     * Submits the item and waits for its transaction. The wait is bounded; an item whose caller
     * gave up may still be applied later, in order with what the caller submits next.
     */
    public void apply(T item, Duration timeout) throws NetconfException {
        CompletableFuture<Void> done = submit(item);
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NetconfException n) {
                throw n;
            }
            throw new IllegalStateException("group commit failed unexpectedly", e.getCause());
        } catch (TimeoutException e) {
            throw new NetconfException.Unreachable(device(), "group commit",
                    "no result within " + timeout.toMillis() + " ms (" + queue.size() + " items queued)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetconfException.Unreachable(device(), "group commit", "interrupted while waiting", e);
        }
    }

    /** Items waiting for the next transaction. */
    public int queued() {
        return queue.size();
    }

    private void work() {
        List<Pending<T>> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                Pending<T> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                // A codec or listener bug must not stop the device's worker.
                log.error("event=netconf_group_commit_bug device={} error=\"{}\"", device(), e.toString(), e);
                for (Pending<T> p : batch) {
                    p.done().completeExceptionally(new NetconfException.Rejected(device(), "group commit",
                            "internal error: " + e));
                }
            } finally {
                batch.clear();
            }
        }
        Pending<T> p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(closing());
        }
    }

    private void runBatch(List<Pending<T>> batch) {
        List<T> items = batch.stream().map(Pending::item).toList();
        long t0 = System.nanoTime();
        try {
            Guard.Terms terms = guard.terms();
            List<ItemResult<T>> results = pool.withSession(s -> runner.run(s, items, codec, terms.fencing(), terms.staleLocks()));
            guard.held(terms);
            int failed = 0;
            for (int i = 0; i < batch.size(); i++) {
                ItemResult<T> r = results.get(i);
                if (r.ok()) {
                    batch.get(i).done().complete(null);
                } else {
                    failed++;
                    batch.get(i).done().completeExceptionally(r.failure().orElseThrow());
                }
            }
            log.debug("event=netconf_group_commit device={} items={} failed={} ms={}", device(), batch.size(), failed,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (NetconfException e) {
            log.info("event=netconf_group_commit_failed device={} items={} kind={} error=\"{}\"", device(), batch.size(),
                    e.kind(), e.getMessage());
            for (Pending<T> p : batch) {
                p.done().completeExceptionally(e);
            }
        }
    }

    private NetconfException closing() {
        return new NetconfException.Unreachable(device(), "group commit", "ensm is shutting down the device's writer", null);
    }

    /** Stops taking items, lets the running transaction finish (bounded), fails what is still queued. */
    @Override
    public void close() {
        closed = true;
        try {
            worker.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending<T> p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(closing());
        }
    }
}
