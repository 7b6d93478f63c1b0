package io.ensm.app.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An operator's NETCONF session from OpenSSH's client (not ensm's code) that takes the box's
 * candidate lock and keeps it until closed, as a person at a CLI or another controller would.
 */
final class LockHolder implements AutoCloseable {
    private static final String EOM = "]]>]]>";
    private static final String BASE = "urn:ietf:params:xml:ns:netconf:base:1.0";

    private final Process ssh;
    private final InputStream in;
    private final OutputStream out;
    private final long sessionId;

    LockHolder(NetconfBox box) throws IOException {
        Path d = box.dir();
        ProcessBuilder pb = new ProcessBuilder(List.of("ssh", "-T", "-p", Integer.toString(box.port()),
                "-o", "BatchMode=no", "-o", "ConnectTimeout=10", "-o", "UserKnownHostsFile=" + d.resolve("device-1").resolve("known_hosts"),
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "PubkeyAuthentication=no",
                "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "-o", "LogLevel=ERROR",
                "-F", "/dev/null", box.connectionSettings().get("username") + "@127.0.0.1", "-s", "netconf"));
        pb.environment().put("SSH_ASKPASS", d.resolve("askpass").toString());
        pb.environment().put("SSH_ASKPASS_REQUIRE", "force");
        pb.environment().put("ENSM_TB_PASSWORD_FILE", d.resolve("password").toString());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        ssh = pb.start();
        in = ssh.getInputStream();
        out = ssh.getOutputStream();
        // A box that never answers must not hang the test: the session is cut after 20 s without the lock.
        java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try {
                if (!locked.await(20, TimeUnit.SECONDS)) {
                    ssh.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // This server's subsystem speaks only after the client's hello.
        send("<hello xmlns=\"" + BASE + "\"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>");
        String hello = readMessage();
        Matcher m = Pattern.compile("<session-id>(\\d+)</session-id>").matcher(hello);
        if (!m.find()) {
            close();
            throw new IllegalStateException("no session id in the box's hello: " + hello);
        }
        sessionId = Long.parseLong(m.group(1));
        send("<rpc message-id=\"1\" xmlns=\"" + BASE + "\"><lock><target><candidate/></target></lock></rpc>");
        String reply = readMessage();
        if (!reply.contains("<ok/>")) {
            close();
            throw new IllegalStateException("the box refused the operator's lock: " + reply);
        }
        locked.countDown();
    }

    long sessionId() {
        return sessionId;
    }

    private void send(String message) throws IOException {
        out.write((message + EOM).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String readMessage() throws IOException {
        StringBuilder b = new StringBuilder();
        byte[] buf = new byte[4096];
        while (b.indexOf(EOM) < 0) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("the box closed the operator's session: " + b);
            }
            b.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return b.substring(0, b.indexOf(EOM));
    }

    /** Ends the session; the box releases the lock with it. */
    @Override
    public void close() {
        ssh.destroy();
        try {
            if (!ssh.waitFor(5, TimeUnit.SECONDS)) {
                ssh.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
