package io.ensm.forwarder.bridge;

import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.NetlinkException;
import io.ensm.forwarder.netlink.Rtnetlink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Deletes a connection's links side by side, each on a socket of its own. Deleting a link costs
 * the kernel far more than creating one: it unregisters the device under its lock and then
 * waits for RCU grace periods before it answers. Those waits overlap when the deletions run at
 * once. Platform threads, because a thread blocked in a native call cannot leave its carrier.
 */
final class LinkDeleter implements AutoCloseable {
    private final BlockingQueue<Rtnetlink> sockets;
    private final ExecutorService threads;
    private final List<Rtnetlink> all = new ArrayList<>();

    /** @param open opens one more socket in the forwarder's namespace */
    LinkDeleter(int parallel, java.util.function.Supplier<Rtnetlink> open) {
        sockets = new ArrayBlockingQueue<>(parallel);
        try {
            for (int i = 0; i < parallel; i++) {
                Rtnetlink s = open.get();
                all.add(s);
                sockets.add(s);
            }
        } catch (RuntimeException e) {
            all.forEach(Rtnetlink::close);
            throw e;
        }
        threads = Executors.newFixedThreadPool(parallel, Thread.ofPlatform().daemon(true).name("ensm-link-delete-", 0).factory());
    }

    /**
     * Deletes the links and waits for all of them; returns the names that were deleted (a link
     * already gone is skipped). When some deletions fail, the others still complete and the
     * first failure is thrown.
     */
    List<String> deleteAll(List<Link> links) {
        List<Future<Boolean>> pending = new ArrayList<>();
        for (Link l : links) {
            pending.add(threads.submit(() -> {
                Rtnetlink s = sockets.take();
                try {
                    return s.links().delete(l.index(), l.name());
                } finally {
                    sockets.add(s);
                }
            }));
        }
        List<String> deleted = new ArrayList<>();
        RuntimeException failure = null;
        for (int i = 0; i < links.size(); i++) {
            try {
                if (pending.get(i).get()) {
                    deleted.add(links.get(i).name());
                }
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException("deleting " + links.get(i).name() + ": " + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NetlinkException("wait for link deletions", io.ensm.forwarder.netlink.Errno.EINTR, "interrupted");
            }
        }
        if (failure != null) {
            throw failure;
        }
        return deleted;
    }

    @Override
    public void close() {
        threads.shutdownNow();
        all.forEach(Rtnetlink::close);
    }
}
