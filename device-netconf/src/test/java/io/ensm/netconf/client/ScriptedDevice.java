package io.ensm.netconf.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NETCONF peer in memory for what netconfd cannot be made to do (wrong message-ids, silence,
 * broken frames, refusing a commit after accepting the edit). It speaks real framing with ensm's
 * session: the replies come from a handler given the operation inside each {@code <rpc>}.
 */
public final class ScriptedDevice implements Transport {
    private static final Pattern RPC = Pattern.compile("(?s)<rpc message-id=\"([^\"]*)\"[^>]*>(.*)</rpc>");

    /** What the device answers: the body of rpc-reply (e.g. "<ok/>"), or null to stay silent. */
    public interface Handler extends Function<String, String> {}

    private final Set<String> capabilities;
    private final Handler handler;
    private final FrameDecoder decoder;
    private final List<String> operations = new ArrayList<>();
    private NetconfSession session;
    private boolean helloSeen;
    private boolean chunked;
    private boolean closed;
    private int writes;
    /** Replaces the message-id of replies when set. */
    public volatile String forcedMessageId;
    /**
     * When set, the connection is gone without ensm having noticed yet: every send fails as a
     * write on a reset connection does, while the session still looks open.
     */
    public volatile boolean cutSilently;
    /** Sent before the next reply when set (a notification, garbage). */
    public volatile byte[] injectBeforeReply;

    public ScriptedDevice(Set<String> capabilities, Handler handler) {
        this.capabilities = capabilities;
        this.handler = handler;
        this.decoder = new FrameDecoder(1 << 20, this::onMessage);
    }

    /** Creates the session, sends the device's hello (session-id 42) and completes the handshake. */
    public NetconfSession connect(Duration rpcTimeout) throws NetconfException {
        session = NetconfSession.over("scripted", this, rpcTimeout);
        StringBuilder hello = new StringBuilder("<hello xmlns=\"" + Xml.NETCONF_BASE + "\"><capabilities>");
        for (String c : capabilities) {
            hello.append("<capability>").append(c).append("</capability>");
        }
        hello.append("</capabilities><session-id>42</session-id></hello>");
        deliver(FrameEncoder.frame(hello.toString().getBytes(StandardCharsets.UTF_8), false));
        return session.handshake(Duration.ofSeconds(2));
    }

    /** Operations received so far, in order. */
    public synchronized List<String> operations() {
        return List.copyOf(operations);
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** Writes received from ensm since the handshake's, hello included. */
    public synchronized int writes() {
        return writes;
    }

    @Override
    public void send(byte[] frame) throws java.io.IOException {
        if (cutSilently) {
            throw new java.io.IOException("Connection reset by peer");
        }
        synchronized (this) {
            writes++;
        }
        decoder.feed(frame, 0, frame.length);
    }

    private void onMessage(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        if (!helloSeen) {
            helloSeen = true;
            if (text.contains(Capability.BASE_1_1) && capabilities.contains(Capability.BASE_1_1)) {
                chunked = true;
                decoder.useChunked();
            }
            return;
        }
        Matcher m = RPC.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("not an rpc: " + text);
        }
        String operation = m.group(2);
        synchronized (this) {
            operations.add(operation);
        }
        String body = handler.apply(operation);
        if (body == null) {
            return;
        }
        byte[] inject = injectBeforeReply;
        if (inject != null) {
            injectBeforeReply = null;
            deliver(inject);
        }
        String id = forcedMessageId != null ? forcedMessageId : m.group(1);
        String reply = "<rpc-reply message-id=\"" + id + "\" xmlns=\"" + Xml.NETCONF_BASE + "\">" + body + "</rpc-reply>";
        deliver(FrameEncoder.frame(reply.getBytes(StandardCharsets.UTF_8), chunked));
    }

    /** Bytes from the device to ensm. */
    public void deliver(byte[] bytes) {
        session.receive(bytes, 0, bytes.length);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (session != null) {
            session.closed("scripted device closed");
        }
    }

    public static String error(String type, String tag, String message) {
        return "<rpc-error><error-type>" + type + "</error-type><error-tag>" + tag + "</error-tag>"
                + "<error-severity>error</error-severity><error-message xml:lang=\"en\">" + message + "</error-message></rpc-error>";
    }
}
