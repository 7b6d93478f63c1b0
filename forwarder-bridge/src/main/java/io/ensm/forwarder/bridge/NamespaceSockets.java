package io.ensm.forwarder.bridge;

import io.ensm.forwarder.netlink.NetlinkException;
import io.ensm.forwarder.netlink.NetworkNamespace;
import io.ensm.forwarder.netlink.Rtnetlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * rtnetlink sockets and handles of the attachment namespaces, kept open between connections:
 * entering a namespace costs a thread and a setns, which is most of a connect otherwise. An
 * entry is used only while the namespace's handle file still names the same namespace (same
 * device and inode: a socket pins its namespace, so the inode cannot be reused meanwhile);
 * {@link #prune} closes entries of namespaces that were deleted or replaced, so that ensm does
 * not keep a deleted namespace alive for longer than one reconciliation pass.
 */
final class NamespaceSockets implements AutoCloseable {

    /** An open namespace: rtnetlink inside it and a descriptor for IFLA_NET_NS_FD. */
    record Handle(Rtnetlink nl, int fd, Object identity) {}

    private final Map<String, Handle> open = new HashMap<>();

    /** The namespace's identity, or empty when it does not exist. */
    private static Optional<Object> identity(String netns) {
        try {
            return Optional.ofNullable(Files.readAttributes(NetworkNamespace.handle(netns), BasicFileAttributes.class).fileKey());
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static boolean exists(String netns) {
        return identity(netns).isPresent();
    }

    /** The open handle of a namespace, opening (or reopening) it when needed; empty when it does not exist. */
    synchronized Optional<Handle> get(String netns) {
        Optional<Object> id = identity(netns);
        Handle h = open.get(netns);
        if (h != null && id.isPresent() && h.identity().equals(id.get())) {
            return Optional.of(h);
        }
        if (h != null) {
            closeQuietly(open.remove(netns));
        }
        if (id.isEmpty()) {
            return Optional.empty();
        }
        int fd = NetworkNamespace.open(netns);
        try {
            Handle made = new Handle(Rtnetlink.openIn(netns), fd, id.get());
            open.put(netns, made);
            return Optional.of(made);
        } catch (NetlinkException | IllegalStateException e) {
            NetworkNamespace.closeHandle(fd);
            throw e;
        }
    }

    /** Closes handles of namespaces that no longer exist or were replaced; returns how many. */
    synchronized int prune() {
        int closed = 0;
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Optional<Object> id = identity(e.getKey());
            if (id.isEmpty() || !id.get().equals(e.getValue().identity())) {
                closeQuietly(e.getValue());
                it.remove();
                closed++;
            }
        }
        return closed;
    }

    private static void closeQuietly(Handle h) {
        try {
            h.nl().close();
        } finally {
            NetworkNamespace.closeHandle(h.fd());
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(NamespaceSockets::closeQuietly);
        open.clear();
    }
}
