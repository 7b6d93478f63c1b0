package io.ensm.netconf.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.xml.sax.SAXException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One NETCONF session (RFC 6241) over a {@link Transport}: the hello exchange, framing, message-ids,
 * and RPCs one at a time ({@link #rpc}) or several in one write ({@link #pipeline}, chunked framing
 * only: netconfd leaves a second end-of-message framed message in the same read unanswered). Every
 * wait for a reply is bounded. A timeout or a broken frame ends the session, because its state on
 * the device is then unknown.
 */
public final class NetconfSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetconfSession.class);
    private static final int MAX_MESSAGE_BYTES = 64 << 20;
    private static final Object CLOSED = new Object();

    private final String device;
    private final Transport transport;
    private final FrameDecoder decoder;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ReentrantLock rpcLock = new ReentrantLock();
    private final AtomicLong nextMessageId = new AtomicLong(1);
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Duration defaultTimeout;
    private volatile Hello serverHello;
    /** Touched by the reader only: the first message is the hello. */
    private boolean helloReceived;
    private volatile String closeReason = "closed by ensm";
    private volatile long lastUsedNanos = System.nanoTime();
    private final java.util.concurrent.atomic.AtomicLong replies = new java.util.concurrent.atomic.AtomicLong();

    private NetconfSession(String device, Transport transport, Duration defaultTimeout) {
        this.device = device;
        this.transport = transport;
        this.defaultTimeout = defaultTimeout;
        this.decoder = new FrameDecoder(MAX_MESSAGE_BYTES, this::onMessage);
    }

    /**
     * Creates a session whose transport is wired by the caller: the caller connects the transport's
     * incoming bytes to {@link #receive} before calling {@link #handshake}.
     */
    public static NetconfSession over(String device, Transport transport, Duration defaultTimeout) {
        return new NetconfSession(device, transport, defaultTimeout);
    }

    /** Sends ensm's hello and waits for the device's. */
    public NetconfSession handshake(Duration timeout) throws NetconfException {
        try {
            transport.send(FrameEncoder.frame(Hello.client(), false));
        } catch (IOException e) {
            abort("hello not sent: " + e.getMessage());
            throw new NetconfException.Unreachable(device, "hello", "sending hello failed: " + e.getMessage(), e);
        }
        Object first = take(timeout);
        if (first == CLOSED) {
            throw new NetconfException.Unreachable(device, "hello", "session ended before the device's hello: " + closeReason, null);
        }
        if (first == null) {
            abort("no hello");
            throw new NetconfException.Unreachable(device, "hello", "no hello from the device within " + timeout.toMillis() + " ms", null);
        }
        if (first instanceof Exception e) {
            abort(e.getMessage());
            throw new NetconfException.Unreachable(device, "hello", e.getMessage(), e);
        }
        serverHello = (Hello) first;
        log.debug("event=netconf_hello device={} session_id={} chunked={}", device, serverHello.sessionId(), decoder.chunked());
        return this;
    }

    /** Incoming bytes from the transport (one reader thread at a time). */
    public void receive(byte[] data, int off, int len) {
        try {
            decoder.feed(data, off, len);
        } catch (FramingException e) {
            inbox.offer(e);
            abort("framing error: " + e.getMessage());
        }
    }

    /** The transport ended (device closed the session, connection dropped). */
    public void closed(String reason) {
        if (open.compareAndSet(true, false)) {
            closeReason = reason;
            inbox.offer(CLOSED);
        }
    }

    private void onMessage(byte[] message) throws FramingException {
        if (!helloReceived) {
            helloReceived = true;
            try {
                Hello hello = Hello.parse(Xml.parse(message));
                if (hello.has(Capability.BASE_1_1)) {
                    decoder.useChunked();
                }
                // Published before the handshake reads it, so framing of the first RPC is decided.
                serverHello = hello;
                inbox.offer(hello);
            } catch (SAXException | NetconfProtocolException e) {
                inbox.offer(new NetconfProtocolException("bad hello: " + e.getMessage(), e));
            }
            return;
        }
        inbox.offer(message);
    }

    public String device() {
        return device;
    }

    public long sessionId() {
        return hello().sessionId();
    }

    public Hello hello() {
        Hello h = serverHello;
        if (h == null) {
            throw new IllegalStateException("handshake not done");
        }
        return h;
    }

    public boolean supports(String capability) {
        return hello().has(capability);
    }

    public boolean isOpen() {
        return open.get();
    }

    /** Chunks of the last chunked message received; 0 with end-of-message framing. */
    int lastMessageChunks() {
        return decoder.chunksOfLastMessage();
    }

    /** Nanotime of the last RPC, for keep-alive. */
    /** Replies received on this session so far. */
    public long repliesReceived() {
        return replies.get();
    }

    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    public RpcReply rpc(String operation) throws NetconfException {
        return rpc(operation, defaultTimeout);
    }

    /**
     * Sends {@code <rpc>} around the operation (e.g. {@code <lock>...</lock>}) and waits for its
     * reply. rpc-errors are returned in the reply, not thrown.
     */
    public RpcReply rpc(String operation, Duration timeout) throws NetconfException {
        String step = operationName(operation);
        rpcLock.lock();
        try {
            String id = send(List.of(operation), List.of(step)).getFirst();
            return await(id, step, timeout);
        } finally {
            rpcLock.unlock();
        }
    }

    /**
     * Sends the operations in one write without waiting, then takes their replies in order
     * (RFC 6241 §4.1: the device processes a session's RPCs in the order received). The device runs
     * every operation whatever the earlier ones answered, so only operations whose outcome does not
     * depend on each other belong together. {@code labels} name each operation in exceptions. With
     * end-of-message framing they go one at a time: netconfd leaves a second such message in the
     * same read unanswered. A failure while waiting for reply k names label k and ends the session.
     */
    public List<RpcReply> pipeline(List<String> operations, List<String> labels) throws NetconfException {
        if (operations.size() != labels.size() || operations.isEmpty()) {
            throw new IllegalArgumentException("one label per operation, at least one operation");
        }
        rpcLock.lock();
        try {
            List<RpcReply> replies = new ArrayList<>(operations.size());
            if (!decoder.chunked()) {
                for (int i = 0; i < operations.size(); i++) {
                    String id = send(List.of(operations.get(i)), List.of(labels.get(i))).getFirst();
                    replies.add(await(id, labels.get(i), defaultTimeout));
                }
                return replies;
            }
            List<String> ids = send(operations, labels);
            for (int i = 0; i < ids.size(); i++) {
                replies.add(await(ids.get(i), labels.get(i), defaultTimeout));
            }
            return replies;
        } finally {
            rpcLock.unlock();
        }
    }

    /** Frames the operations with fresh message-ids and sends them in one write; returns the ids. */
    private List<String> send(List<String> operations, List<String> labels) throws NetconfException {
        String step = labels.getFirst();
        if (!open.get()) {
            throw new NetconfException.Unreachable(device, step, "session is closed (" + closeReason + ")", null, true);
        }
        List<String> ids = new ArrayList<>(operations.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String operation : operations) {
            String id = Long.toString(nextMessageId.getAndIncrement());
            ids.add(id);
            byte[] message = ("<rpc message-id=\"" + id + "\" xmlns=\"" + Xml.NETCONF_BASE + "\">" + operation + "</rpc>")
                    .getBytes(StandardCharsets.UTF_8);
            out.writeBytes(FrameEncoder.frame(message, decoder.chunked()));
        }
        try {
            transport.send(out.toByteArray());
        } catch (IOException e) {
            abort("send failed: " + e.getMessage());
            throw new NetconfException.Unreachable(device, step, "sending failed: " + e.getMessage(), e, true);
        }
        return ids;
    }

    /** Waits for the reply with this message-id; anything else (silence, another id, a broken frame) ends the session. */
    private RpcReply await(String id, String step, Duration timeout) throws NetconfException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object next = take(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (next == null) {
                abort("no reply to " + step);
                throw new NetconfException.Unreachable(device, step,
                        "no reply within " + timeout.toMillis() + " ms; session closed", null);
            }
            if (next == CLOSED) {
                throw new NetconfException.Unreachable(device, step, "session ended: " + closeReason, null, true);
            }
            if (next instanceof Exception e) {
                throw new NetconfException.Unreachable(device, step, "protocol error: " + e.getMessage(), e);
            }
            RpcReply reply = parseReply((byte[]) next, step);
            if (reply == null) {
                continue;
            }
            if (!reply.messageId().equals(id)) {
                abort("reply for message-id " + reply.messageId() + " while waiting for " + id);
                throw new NetconfException.Unreachable(device, step,
                        "reply carries message-id '" + reply.messageId() + "', expected '" + id + "'; session closed", null);
            }
            lastUsedNanos = System.nanoTime();
            replies.incrementAndGet();
            return reply;
        }
    }

    /** The reply, or null for a message to skip (a notification). */
    private RpcReply parseReply(byte[] message, String step) throws NetconfException {
        try {
            Document doc = Xml.parse(message);
            if ("notification".equals(doc.getDocumentElement().getLocalName())) {
                return null;
            }
            return RpcReply.parse(doc);
        } catch (SAXException | NetconfProtocolException e) {
            abort("malformed reply");
            throw new NetconfException.Unreachable(device, step, "malformed reply: " + e.getMessage() + "; session closed", e);
        }
    }

    private Object take(Duration timeout) {
        try {
            return inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort("interrupted");
            return CLOSED;
        }
    }

    /** Ends the session now, without close-session (the device rolls back an unconfirmed commit). */
    public void abort(String reason) {
        if (open.compareAndSet(true, false)) {
            closeReason = reason;
            inbox.offer(CLOSED);
            log.debug("event=netconf_session_abort device={} reason=\"{}\"", device, reason);
        }
        transport.close();
    }

    /** Sends close-session (bounded) and closes the transport. */
    @Override
    public void close() {
        if (open.get() && serverHello != null) {
            try {
                rpc("<close-session/>", Duration.ofSeconds(2));
            } catch (NetconfException e) {
                log.debug("event=netconf_close_session_failed device={} error=\"{}\"", device, e.getMessage());
            }
        }
        abort("closed by ensm");
    }

    /** The local name of the operation's first element, for messages: "edit-config", "commit". */
    static String operationName(String operation) {
        int lt = operation.indexOf('<');
        if (lt < 0) {
            return "rpc";
        }
        int end = lt + 1;
        while (end < operation.length() && " />\t\n\r".indexOf(operation.charAt(end)) < 0) {
            end++;
        }
        String name = operation.substring(lt + 1, end);
        int colon = name.indexOf(':');
        return colon >= 0 ? name.substring(colon + 1) : name;
    }

    @Override
    public String toString() {
        Hello h = serverHello;
        return "NetconfSession[" + device + (h == null ? "" : " id=" + h.sessionId()) + (open.get() ? "" : " closed") + "]";
    }
}
