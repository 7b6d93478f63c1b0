package io.ensm.forwarder.netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few C library calls netlink needs, bound through the FFM API. Every call captures errno
 * right after the call (the JVM may overwrite it before Java code could read it otherwise) and
 * throws {@link NetlinkException} on failure.
 */
final class Libc {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_ROUTE = 0;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;
    static final int NETLINK_GET_STRICT_CHK = 12;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int EINTR = 4;
    static final int MSG_TRUNC = 0x20;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = bind("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // open(2) is variadic: the mode argument is declared as the first variadic one.
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Libc() {}

    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library function " + name + " not found"));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A per-call scratch area for errno; calls on different threads never share one. */
    private static MemorySegment capture(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static int socket(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = capture(arena);
            int fd = (int) SOCKET.invokeExact(c, domain, type, protocol);
            if (fd < 0) {
                throw NetlinkException.ofErrno("socket(AF_NETLINK, NETLINK_ROUTE)", errno(c));
            }
            return fd;
        } catch (NetlinkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket() could not be called", t);
        }
    }

    /** Binds a netlink socket with port id 0: the kernel assigns a unique one. */
    static void bindNetlink(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(12);
            addr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            MemorySegment c = capture(arena);
            int rc = (int) BIND.invokeExact(c, fd, addr, 12);
            if (rc < 0) {
                throw NetlinkException.ofErrno("bind(netlink)", errno(c));
            }
        } catch (NetlinkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("bind() could not be called", t);
        }
    }

    static void setIntOption(int fd, int level, int option, int value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            setOption(arena, fd, level, option, v, what);
        }
    }

    /** SO_RCVTIMEO: a struct timeval of two longs on x86-64 and aarch64. */
    static void setReceiveTimeout(int fd, long millis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(16);
            tv.set(JAVA_LONG, 0, millis / 1000);
            tv.set(JAVA_LONG, 8, (millis % 1000) * 1000);
            setOption(arena, fd, SOL_SOCKET, SO_RCVTIMEO, tv, "SO_RCVTIMEO");
        }
    }

    private static void setOption(Arena arena, int fd, int level, int option, MemorySegment value, String what) {
        try {
            MemorySegment c = capture(arena);
            int rc = (int) SETSOCKOPT.invokeExact(c, fd, level, option, value, (int) value.byteSize());
            if (rc < 0) {
                throw NetlinkException.ofErrno("setsockopt(" + what + ")", errno(c));
            }
        } catch (NetlinkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt() could not be called", t);
        }
    }

    /** Sends the first {@code length} bytes of {@code buffer}; netlink sends a datagram whole or not at all. */
    static void send(int fd, MemorySegment buffer, long length, MemorySegment capture) {
        try {
            long n;
            do {
                n = (long) SEND.invokeExact(capture, fd, buffer, length, 0);
            } while (n < 0 && errno(capture) == EINTR);
            if (n < 0) {
                throw NetlinkException.ofErrno("send(netlink)", errno(capture));
            }
        } catch (NetlinkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("send() could not be called", t);
        }
    }

    /**
     * Receives one datagram; returns its full length (MSG_TRUNC), which exceeds the buffer's size
     * when it did not fit. EAGAIN (the receive timeout) is an error.
     */
    static int recv(int fd, MemorySegment buffer, MemorySegment capture) {
        try {
            long n;
            do {
                n = (long) RECV.invokeExact(capture, fd, buffer, buffer.byteSize(), MSG_TRUNC);
            } while (n < 0 && errno(capture) == EINTR);
            if (n < 0) {
                throw NetlinkException.ofErrno("recv(netlink)", errno(capture));
            }
            return (int) n;
        } catch (NetlinkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("recv() could not be called", t);
        }
    }

    static MemorySegment newCapture(Arena arena) {
        return capture(arena);
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(capture(arena), fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close() could not be called", t);
        }
    }

    /** Opens a file read-only (a namespace handle such as /var/run/netns/NAME); returns the fd. */
    static int openReadOnly(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = capture(arena);
            int fd = (int) OPEN.invokeExact(c, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) {
                throw NetlinkException.ofErrno("open(" + path + ")", errno(c));
            }
            return fd;
        } catch (NetlinkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open() could not be called", t);
        }
    }

    /** Moves the calling thread into the network namespace behind {@code fd}. */
    static void setns(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = capture(arena);
            int rc = (int) SETNS.invokeExact(c, fd, CLONE_NEWNET);
            if (rc < 0) {
                throw NetlinkException.ofErrno("setns(" + what + ")", errno(c));
            }
        } catch (NetlinkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setns() could not be called", t);
        }
    }
}
