package io.ensm.forwarder.netlink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Named network namespaces as iproute2 keeps them (a bind mount under /var/run/netns). setns(2)
 * acts on one thread only, so work that must happen inside a namespace (opening a socket there)
 * runs on a fresh platform thread that enters it and then ends: no pooled thread, and no virtual
 * thread's carrier, is ever left in a foreign namespace. A socket keeps the namespace it was
 * opened in for its whole life.
 */
public final class NetworkNamespace {
    private static final Path RUN_DIR = Path.of("/var/run/netns");

    private NetworkNamespace() {}

    /** The handle file of a named namespace; the name must be a plain file name. */
    public static Path handle(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.equals(".") || name.equals("..") || name.contains("\0")) {
            throw new IllegalArgumentException("'" + name + "' is not a network namespace name");
        }
        return RUN_DIR.resolve(name);
    }

    public static boolean exists(String name) {
        return Files.exists(handle(name));
    }

    /** Opens the namespace read-only; the caller closes the returned descriptor with {@link #closeHandle}. */
    public static int open(String name) {
        Path handle = handle(name);
        try {
            return Libc.openReadOnly(handle.toString());
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new NetlinkException("network namespace '" + name + "' (" + handle + ")", e.errno(),
                        "it does not exist");
            }
            throw e;
        }
    }

    public static void closeHandle(int fd) {
        Libc.close(fd);
    }

    /** Runs {@code task} on a platform thread that has entered the named namespace. */
    public static <T> T call(String name, Callable<T> task) {
        int fd = open(name);
        FutureTask<T> future = new FutureTask<>(() -> {
            try {
                Libc.setns(fd, "network namespace '" + name + "'");
            } finally {
                Libc.close(fd);
            }
            return task.call();
        });
        Thread t = Thread.ofPlatform().name("netns-" + name).daemon(true).start(future);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while entering network namespace '" + name + "'", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("in network namespace '" + name + "': " + e.getCause().getMessage(), e.getCause());
        } finally {
            joinQuietly(t);
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
