package io.ensm.netconf.client;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Opens NETCONF sessions over SSH (RFC 6242) with Apache MINA SSHD: password authentication only
 * (no keys and no ssh-agent from the machine's ~/.ssh), the host key checked by the caller's
 * {@link HostKeyCheck}, the {@code netconf} subsystem, then the hello exchange. One shared SSH
 * client serves every device.
 */
public final class SshConnector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SshConnector.class);
    private static final AttributeKey<HostKeyVerdict> VERDICT = new AttributeKey<>();
    /** Pause between ensm's hello and its first RPC, so that netconfd reads them apart. */
    private static final Duration HELLO_SETTLE = Duration.ofMillis(20);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final int HELLO_ATTEMPTS = 3;

    private final SshClient client;

    public SshConnector() {
        if (!SecurityUtils.isEDDSACurveSupported()) {
            // Without it the ed25519-only host keys of many devices cannot be verified at all.
            throw new IllegalStateException("ed25519 support (net.i2p.crypto:eddsa) is missing from the class path");
        }
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(SshConnector::verifyServerKey);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setUserAuthFactories(List.of(UserAuthPasswordFactory.INSTANCE));
        client.start();
    }

    /** The per-connection host key check and what it said, found through the session's connection context. */
    private static final class HostKeyVerdict {
        final HostKeyCheck check;
        final String host;
        final int port;
        volatile String refusal;

        HostKeyVerdict(HostKeyCheck check, String host, int port) {
            this.check = check;
            this.host = host;
            this.port = port;
        }
    }

    private static boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        AttributeRepository context = session.getConnectionContext();
        HostKeyVerdict verdict = context == null ? null : context.getAttribute(VERDICT);
        if (verdict == null) {
            return false;
        }
        Optional<String> refusal = verdict.check.refusal(verdict.host, verdict.port, key);
        refusal.ifPresent(r -> verdict.refusal = r);
        return refusal.isEmpty();
    }

    /**
     * Connects, authenticates, opens the subsystem, exchanges hellos and checks that the device
     * answers an RPC, each step bounded by the spec's timeouts. Nothing is left open when it fails.
     * <p>
     * netconfd never answers on a session whose first RPC reached it in the same read as the
     * client's hello (it frames the rest of that read as base:1.0). ensm therefore waits a moment
     * after its hello, sends a cheap RPC, and if that goes unanswered, opens the session again.
     */
    public NetconfSession connect(ConnectSpec spec) throws NetconfException {
        Duration timeout = spec.timeouts().hello().compareTo(PROBE_TIMEOUT) < 0 ? spec.timeouts().hello() : PROBE_TIMEOUT;
        return FirstRpcProbe.open(spec.device(), () -> open(spec), HELLO_SETTLE, timeout, HELLO_ATTEMPTS);
    }

    private NetconfSession open(ConnectSpec spec) throws NetconfException {
        String device = spec.device();
        Timeouts t = spec.timeouts();
        HostKeyVerdict verdict = new HostKeyVerdict(spec.hostKeyCheck(), spec.host(), spec.port());
        ClientSession ssh;
        try {
            ConnectFuture future = client.connect(spec.username(), spec.host(), spec.port(),
                    AttributeRepository.ofKeyValuePair(VERDICT, verdict), null);
            ssh = future.verify(t.connect()).getSession();
        } catch (IOException e) {
            throw new NetconfException.Unreachable(device, "connect",
                    spec.host() + ":" + spec.port() + ": " + connectFailure(e, t), e);
        }
        try {
            ssh.addPasswordIdentity(spec.password().reveal());
            try {
                ssh.auth().verify(t.auth());
            } catch (IOException e) {
                throw authFailure(spec, verdict, e);
            }
            ChannelSubsystem channel = ssh.createSubsystemChannel("netconf");
            SshTransport transport = new SshTransport(ssh);
            // The session exists before the channel opens: the device's hello may arrive at once.
            NetconfSession session = NetconfSession.over(device, transport, t.rpc());
            channel.setOut(new SessionSink(session));
            channel.setErr(OutputStream.nullOutputStream());
            try {
                channel.open().verify(t.connect());
            } catch (IOException e) {
                throw new NetconfException.Unreachable(device, "open netconf subsystem",
                        "the SSH server did not start the netconf subsystem: " + e.getMessage(), e);
            }
            transport.in = channel.getInvertedIn();
            channel.addCloseFutureListener(f -> session.closed("SSH channel closed"));
            ssh.addCloseFutureListener(f -> session.closed("SSH connection closed"));
            session.handshake(t.hello());
            log.debug("event=netconf_connected device={} session_id={}", device, session.sessionId());
            return session;
        } catch (NetconfException e) {
            ssh.close(true);
            throw e;
        } catch (IOException | RuntimeException e) {
            ssh.close(true);
            throw new NetconfException.Unreachable(device, "open session", String.valueOf(e.getMessage()), e);
        }
    }

    private static String connectFailure(IOException e, Timeouts t) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "connection refused";
            }
        }
        String m = String.valueOf(e.getMessage());
        if (m.toLowerCase().contains("timeout") || m.toLowerCase().contains("timed out")) {
            return "no connection within " + t.connect().toMillis() + " ms";
        }
        return m;
    }

    private static NetconfException authFailure(ConnectSpec spec, HostKeyVerdict verdict, IOException e) {
        String device = spec.device();
        if (verdict.refusal != null) {
            return new NetconfException.Denied(device, "host key", verdict.refusal, null);
        }
        String m = String.valueOf(e.getMessage());
        String lower = m.toLowerCase();
        if (lower.contains("no more authentication methods") || lower.contains("authentication failed")
                || lower.contains("auth fail")) {
            return new NetconfException.Denied(device, "authenticate",
                    "password refused for user " + spec.username(), null);
        }
        if (lower.contains("timeout") || lower.contains("timed out")) {
            return new NetconfException.Unreachable(device, "authenticate",
                    "SSH key exchange and authentication did not finish within " + spec.timeouts().auth().toMillis() + " ms", e);
        }
        return new NetconfException.Unreachable(device, "authenticate", m, e);
    }

    /** Writes framed messages to the subsystem's stdin; closing it ends the whole SSH connection. */
    private static final class SshTransport implements Transport {
        private final ClientSession ssh;
        volatile OutputStream in;

        SshTransport(ClientSession ssh) {
            this.ssh = ssh;
        }

        @Override
        public void send(byte[] frame) throws IOException {
            OutputStream out = in;
            if (out == null) {
                throw new IOException("netconf subsystem not open");
            }
            out.write(frame);
            out.flush();
        }

        @Override
        public void close() {
            ssh.close(true);
        }
    }

    /** Receives the subsystem's stdout on MINA's I/O thread and hands it to the session's decoder. */
    private static final class SessionSink extends OutputStream {
        private final NetconfSession session;

        SessionSink(NetconfSession session) {
            this.session = session;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            session.receive(b, off, len);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (RuntimeException e) {
            log.debug("event=ssh_client_stop_failed error=\"{}\"", e.getMessage());
        }
    }
}
