package io.ensm.forwarder.bridge;

import io.ensm.core.spi.BackendException;
import io.ensm.forwarder.netlink.Errno;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.Links;
import io.ensm.forwarder.netlink.NetlinkException;
import io.ensm.forwarder.netlink.Rtnetlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Deletes the links of closed connections behind the caller. Disconnect first takes the tunnel
 * out of the bridge, which stops traffic at once and costs the kernel little; deleting a link
 * costs it tens of milliseconds of RCU waits, so that happens here, in batches: everything queued
 * is put into a device group of its own and deleted with one request, which the kernel
 * unregisters as one batch with one RCU wait. Each deletion holds keys (link names, the VNI, the
 * attachment's interface) until it is done, and a connect that needs one of them waits for it.
 * Links whose deletion fails keep ensm's mark: the orphan sweep removes them, also after a restart.
 * A failure of any kind gives up that deletion, never the thread: its keys are released and the
 * next deletions run, on a fresh socket when the failure was not the kernel's refusal.
 */
final class Reaper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);
    /** Groups ensm picks for a batch: far from the small numbers operators give their groups. */
    private static final int GROUP_BASE = 0x656e0000;
    /**
     * Connections per batch: the kernel holds RTNL while it unregisters a batch, and a connect or
     * disconnect waits for RTNL meanwhile; a bounded batch bounds that wait.
     */
    private static final int MAX_BATCH = 16;

    private record Job(String connectionId, List<Link> links, Collection<String> keys, CompletableFuture<Void> done) {}

    private final Supplier<Rtnetlink> open;
    private final LinkDeleter fallback;
    private final String where;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Thread thread;
    /** Used by the reaper thread only. */
    private Rtnetlink socket;
    private volatile boolean closed;
    private volatile CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);
    /** Runs with a connection's id before its links are deleted (in a batch, then alone); tests make it throw. */
    private volatile Consumer<String> deleting = id -> {};

    /**
     * @param open     opens rtnetlink in the forwarder's namespace
     * @param fallback deletes links one by one when a group deletion is refused
     */
    Reaper(Supplier<Rtnetlink> open, LinkDeleter fallback, String where) {
        this.open = open;
        this.fallback = fallback;
        this.where = where;
        // Platform thread: it blocks in native netlink calls.
        this.thread = Thread.ofPlatform().daemon(true).name("ensm-link-reaper").start(this::run);
    }

    /** Queues the deletion of a connection's detached links; {@code keys} are held until it is done. */
    void delete(String connectionId, List<Link> links, Collection<String> keys) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        keys.forEach(k -> pending.put(k, done));
        synchronized (this) {
            if (idle.isDone()) {
                idle = new CompletableFuture<>();
            }
            queue.add(new Job(connectionId, List.copyOf(links), List.copyOf(keys), done));
        }
    }

    private void run() {
        while (!closed) {
            List<Job> batch = new ArrayList<>();
            try {
                Job first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                deleteBatch(batch);
            } catch (RuntimeException e) {
                // Whatever failed, the batch is given up rather than the thread: later deletions
                // still run, and the links keep their mark for the orphan sweep.
                dropSocket();
                log.warn("event=links-delete-failed connections=\"{}\" namespace=\"{}\" reason=\"{}\" next=\"the orphan sweep removes them\"",
                        String.join(",", batch.stream().map(Job::connectionId).toList()), where, e.getMessage());
            } finally {
                finish(batch);
            }
        }
        dropSocket();
    }

    /** Releases the batch's keys: a failed deletion leaves marked links that the orphan sweep may take. */
    private void finish(List<Job> batch) {
        for (Job j : batch) {
            j.keys().forEach(k -> pending.remove(k, j.done()));
            j.done().complete(null);
        }
        synchronized (this) {
            if (queue.isEmpty()) {
                idle.complete(null);
            }
        }
    }

    private void deleteBatch(List<Job> batch) {
        long start = System.nanoTime();
        List<Link> links = batch.stream().flatMap(j -> j.links().stream()).toList();
        try {
            batch.forEach(j -> deleting.accept(j.connectionId()));
            Rtnetlink nl = socket();
            int group = grouped(nl, links);
            if (group != 0) {
                nl.links().deleteGroup(group);
                log.debug("event=links-deleted connections={} links={} group={} took_us={}", batch.size(), links.size(), group,
                        (System.nanoTime() - start) / 1000);
                return;
            }
        } catch (NetlinkException e) {
            log.debug("event=link-group-delete-refused namespace=\"{}\" reason=\"{}\" next=\"one by one\"", where, e.getMessage());
        } catch (RuntimeException e) {
            // Not a refusal by the kernel: the socket may be out of step with it, so a fresh one next time.
            dropSocket();
            log.warn("event=link-group-delete-failed namespace=\"{}\" reason=\"{}\" next=\"one by one\"", where, e.getMessage());
        }
        for (Job j : batch) {
            try {
                deleting.accept(j.connectionId());
                fallback.deleteAll(j.links());
            } catch (RuntimeException e) {
                log.warn("event=links-delete-failed connection={} namespace=\"{}\" reason=\"{}\" next=\"the orphan sweep removes them\"",
                        j.connectionId(), where, e.getMessage());
            }
        }
    }

    /** The reaper's own socket, opened when first needed and again after a failure dropped it. */
    private Rtnetlink socket() {
        if (socket == null) {
            socket = open.get();
        }
        return socket;
    }

    private void dropSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (RuntimeException e) {
                log.debug("event=link-reaper-socket-close-failed namespace=\"{}\" reason=\"{}\"", where, e.getMessage());
            }
            socket = null;
        }
    }

    /**
     * Moves the links into a group no other link is in and returns it; 0 when the group is not
     * exactly these links afterwards (then nothing may be deleted by group).
     */
    private int grouped(Rtnetlink nl, List<Link> links) {
        List<Link> now = nl.links().list();
        Set<Integer> used = new HashSet<>();
        now.forEach(l -> used.add(l.group()));
        int group;
        do {
            group = GROUP_BASE + random.nextInt(0x10000);
        } while (used.contains(group));
        Set<Integer> ours = new HashSet<>();
        for (Link l : links) {
            try {
                nl.links().change(l.index(), new Links.Change().group(group), "group " + l.name() + " for deletion");
                ours.add(l.index());
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENODEV) {
                    throw e;
                }
                // Already gone (a veth deleted with its peer, or by someone else).
            }
        }
        if (ours.isEmpty()) {
            return 0;
        }
        int g = group;
        Set<Integer> members = new HashSet<>();
        nl.links().list().stream().filter(l -> l.group() == g).forEach(l -> members.add(l.index()));
        return members.equals(ours) ? group : 0;
    }

    /** Waits until no queued deletion holds any of {@code keys}. */
    void awaitClear(String connectionId, Collection<String> keys, Duration max) throws BackendException {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (String k : keys) {
            CompletableFuture<Void> f = pending.get(k);
            if (f != null) {
                waits.add(f);
            }
        }
        if (waits.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new BackendException(BackendException.Kind.BUSY, "connection " + connectionId
                    + ": links of a closed connection using the same names or VNI are still being deleted in " + where
                    + " after " + max.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.BUSY, "connection " + connectionId + ": interrupted");
        }
    }

    /** For tests: runs {@code hook} with each connection's id before its links are deleted; a throw fails that deletion. */
    void onDeleting(Consumer<String> hook) {
        deleting = hook;
    }

    /** Whether a queued or running deletion holds {@code key}. */
    boolean holds(String key) {
        return pending.containsKey(key);
    }

    /** Deletions still queued or running. */
    int backlog() {
        return (int) pending.values().stream().distinct().count();
    }

    /** Waits up to {@code max} for queued deletions; returns whether all are done. */
    boolean drain(Duration max) {
        CompletableFuture<Void> wait;
        synchronized (this) {
            wait = idle;
        }
        try {
            wait.get(max.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (!drain(Duration.ofSeconds(10))) {
            log.warn("event=links-delete-pending-at-stop count={} namespace=\"{}\" next=\"removed by the orphan sweep at the next start\"",
                    backlog(), where);
        }
        closed = true;
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
