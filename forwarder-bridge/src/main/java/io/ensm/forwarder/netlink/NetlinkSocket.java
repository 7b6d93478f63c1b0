package io.ensm.forwarder.netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One NETLINK_ROUTE socket. Every request carries NLM_F_ACK and waits for its answer, so a
 * refusal is never lost; dumps read until NLMSG_DONE. Extended acks are switched on so the
 * kernel's own explanation reaches the error message. One request at a time per socket.
 */
public final class NetlinkSocket implements AutoCloseable {
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_ECHO = 0x8;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int NLM_F_APPEND = 0x800;
    private static final int NLM_F_CAPPED = 0x100;
    private static final int NLM_F_ACK_TLVS = 0x200;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final int BUFFER = 64 * 1024;
    private static final long RECEIVE_TIMEOUT_MS = 10_000;

    /** One received message: its type, flags, sequence number and the bytes after the header. */
    public record Message(int type, int flags, int seq, ByteBuffer body) {}

    /**
     * The outcome of one request: the data messages, and the errno (0 on success) with the
     * kernel's extended-ack text. Lets callers treat an expected errno (ENODEV on a lookup) as
     * an answer instead of paying for an exception.
     */
    public record Reply(List<Message> data, int errno, String kernelMessage, String what) {
        public List<Message> orThrow() {
            if (errno != 0) {
                throw new NetlinkException(what, errno, kernelMessage);
            }
            return data;
        }
    }

    private final int fd;
    private final String where;
    private final ReentrantLock lock = new ReentrantLock();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sendBuffer = arena.allocate(BUFFER);
    private final MemorySegment receiveBuffer = arena.allocate(BUFFER);
    private final MemorySegment capture = Libc.newCapture(arena);
    private int seq = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE / 2);
    private boolean closed;

    private NetlinkSocket(int fd, String where) {
        this.fd = fd;
        this.where = where;
    }

    /** A socket in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        return open("the current network namespace");
    }

    /** A socket in the named network namespace (entered on a short-lived platform thread). */
    public static NetlinkSocket openIn(String netns) {
        return NetworkNamespace.call(netns, () -> open("network namespace '" + netns + "'"));
    }

    private static NetlinkSocket open(String where) {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE);
        try {
            Libc.bindNetlink(fd);
            Libc.setIntOption(fd, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            Libc.setIntOption(fd, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            // Strict checking lets dumps filter by interface in the kernel instead of sending everything.
            Libc.setIntOption(fd, Libc.SOL_NETLINK, Libc.NETLINK_GET_STRICT_CHK, 1, "NETLINK_GET_STRICT_CHK");
            Libc.setReceiveTimeout(fd, RECEIVE_TIMEOUT_MS);
            return new NetlinkSocket(fd, where);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Where this socket acts, for messages. */
    public String where() {
        return where;
    }

    static MessageWriter message(int type, int flags) {
        return new MessageWriter(type, flags | NLM_F_REQUEST | NLM_F_ACK);
    }

    /**
     * Sends a request and waits for its acknowledgement.
     *
     * @return the data messages the kernel sent before the ack (the object asked for by a GET)
     * @throws NetlinkException naming {@code what} when the kernel refuses
     */
    public List<Message> request(MessageWriter message, String what) {
        return exchange(message, what, false).orThrow();
    }

    /** Sends a request and returns the kernel's answer, refusal included, without throwing for it. */
    public Reply call(MessageWriter message, String what) {
        return exchange(message, what, false);
    }

    /**
     * Sends several requests in one datagram and returns their answers in order. The kernel
     * handles them one after the other, each as if sent alone (a refusal does not stop the
     * rest), so only requests that do not depend on each other's outcome belong together.
     */
    public List<Reply> callAll(List<MessageWriter> messages, List<String> whats) {
        if (messages.size() != whats.size()) {
            throw new IllegalArgumentException("one description per request");
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("netlink socket in " + where + " is closed");
            }
            int[] seqs = new int[messages.size()];
            long length = 0;
            for (int i = 0; i < messages.size(); i++) {
                seqs[i] = nextSeq();
                ByteBuffer out = messages.get(i).finish(seqs[i]);
                int n = out.remaining();
                if (length + n > BUFFER) {
                    throw new IllegalArgumentException(whats.get(i) + ": requests of more than " + BUFFER + " bytes together");
                }
                MemorySegment.copy(MemorySegment.ofBuffer(out), 0, sendBuffer, length, n);
                length += n;
            }
            Libc.send(fd, sendBuffer, length, capture);
            List<Reply> replies = new ArrayList<>(seqs.length);
            for (int i = 0; i < seqs.length; i++) {
                replies.add(receive(seqs[i], whats.get(i), false));
            }
            return replies;
        } finally {
            lock.unlock();
        }
    }

    /** Sends a dump request and collects every message until NLMSG_DONE. */
    public List<Message> dump(MessageWriter message, String what) {
        return exchange(message, what, true).orThrow();
    }

    private Reply exchange(MessageWriter message, String what, boolean dump) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("netlink socket in " + where + " is closed");
            }
            int mySeq = nextSeq();
            ByteBuffer out = message.finish(mySeq);
            int length = out.remaining();
            if (length > BUFFER) {
                throw new IllegalArgumentException(what + ": request of " + length + " bytes is too large");
            }
            MemorySegment.copy(MemorySegment.ofBuffer(out), 0, sendBuffer, 0, length);
            Libc.send(fd, sendBuffer, length, capture);
            return receive(mySeq, what, dump);
        } finally {
            lock.unlock();
        }
    }

    private int nextSeq() {
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        return seq;
    }

    private Reply receive(int mySeq, String what, boolean dump) {
        List<Message> data = new ArrayList<>();
        while (true) {
            int n = recv();
            ByteBuffer in = ByteBuffer.wrap(receiveBuffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.nativeOrder());
            int p = 0;
            while (p + MessageWriter.HEADER <= n) {
                int len = in.getInt(p);
                int type = Short.toUnsignedInt(in.getShort(p + 4));
                int flags = Short.toUnsignedInt(in.getShort(p + 6));
                int seqOf = in.getInt(p + 8);
                if (len < MessageWriter.HEADER || p + len > n) {
                    throw new NetlinkException(what, Errno.EMSGSIZE, "malformed netlink reply");
                }
                ByteBuffer body = in.slice(p + MessageWriter.HEADER, len - MessageWriter.HEADER).order(ByteOrder.nativeOrder());
                p += MessageWriter.align(len);
                if (seqOf != mySeq) {
                    continue; // a late answer to an earlier request that timed out
                }
                if (type == NLMSG_ERROR) {
                    int error = body.getInt(0);
                    return error == 0 ? new Reply(data, 0, "", what) : new Reply(data, -error, extAckMessage(body, flags, true), what);
                }
                if (type == NLMSG_DONE && dump) {
                    int error = body.remaining() >= 4 ? body.getInt(0) : 0;
                    return error < 0 ? new Reply(data, -error, extAckMessage(body, flags, false), what) : new Reply(data, 0, "", what);
                }
                data.add(new Message(type, flags, seqOf, body));
            }
        }
    }

    private int recv() {
        try {
            int n = Libc.recv(fd, receiveBuffer, capture);
            if (n > BUFFER) {
                throw new NetlinkException("recv(netlink) in " + where, Errno.EMSGSIZE, "reply larger than " + BUFFER + " bytes");
            }
            return n;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EAGAIN) {
                throw new NetlinkException("recv(netlink) in " + where, Errno.ETIMEDOUT,
                        "no answer from the kernel within " + RECEIVE_TIMEOUT_MS + " ms");
            }
            throw e;
        }
    }

    /** The NLMSGERR_ATTR_MSG text of an error or done message, or empty. */
    private static String extAckMessage(ByteBuffer body, int flags, boolean isError) {
        if ((flags & NLM_F_ACK_TLVS) == 0) {
            return "";
        }
        int start = 4;
        if (isError) {
            // struct nlmsgerr: the error, then the request's header (and its payload unless capped).
            int requestLength = body.remaining() >= 8 ? body.getInt(4) : MessageWriter.HEADER;
            start += (flags & NLM_F_CAPPED) != 0 ? MessageWriter.HEADER : MessageWriter.align(requestLength);
        }
        if (start > body.remaining()) {
            return "";
        }
        String text = Attributes.parse(body, start, body.remaining()).string(NLMSGERR_ATTR_MSG);
        return text == null ? "" : text;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                Libc.close(fd);
                arena.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
