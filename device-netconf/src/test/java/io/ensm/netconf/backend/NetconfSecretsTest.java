package io.ensm.netconf.backend;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.testing.Await;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.SecretScan;
import io.ensm.core.testing.Contexts;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failure path of a {@code netconf} endpoint against a real netconfd, with known passwords:
 * a refused password, a box that is down, a server that hangs up during the SSH handshake, a box
 * refusing the edit, sessions cut under a running endpoint, and settings that hold a password
 * where it does not belong. Nothing ensm logged, no exception message or cause, no gRPC status and
 * no toString may contain a password, in any encoding.
 */
@UsesNetconfTestbed(devices = 2)
class NetconfSecretsTest {
    private static final int DEVICE = 1;
    private static final EndpointSpec ENDPOINT = new EndpointSpec("box-sec", "svc", Map.of());

    private final NetconfTestbed bed;
    private final String wrongPassword = SecretScan.randomSecret();
    private final String urlPassword = SecretScan.randomSecret();
    private final String pastedPassword = SecretScan.randomSecret();
    private final List<String> errors = new ArrayList<>();
    private final SecretScan scan;

    @TempDir
    Path dir;

    NetconfSecretsTest(NetconfTestbed bed) throws IOException {
        this.bed = bed;
        String devicePassword = Files.readString(bed.device(DEVICE).passwordFile()).strip();
        this.scan = SecretScan.of()
                .password("device password", devicePassword)
                .password("wrong password", wrongPassword)
                .password("password in a host", urlPassword)
                .password("password pasted into a setting", pastedPassword);
    }

    @Test
    void noPasswordReachesLogsErrorsOrStatuses() throws Exception {
        String output;
        try (OutputCapture out = OutputCapture.start()) {
            badSettings();
            wrongPassword();
            unreachableAndHangingUp();
            refusedEditAndCutSessions();
            output = out.text();
        }

        assertThat(errors).as("every failure path ran").hasSizeGreaterThanOrEqualTo(20);
        assertThat(String.join("\n", errors)).as("the messages still say what failed").contains(
                "password refused for user", "connection refused", "eth9", "host: '***@127.0.0.1'",
                "password-env: the value is not an environment variable name", "password file (not shown", "is empty");
        assertThat(output).contains("event=netconf_connect_failed");
        scan.assertClean("what ensm logged", output);
        scan.assertClean("exception messages, causes and statuses", String.join("\n", errors));
    }

    private Map<String, String> settings() {
        Map<String, String> s = NetconfBackendTest.settings(bed.device(DEVICE), "eth1");
        s.put("vlans", "3160-3169");
        return s;
    }

    /** Settings refused at once, and settings whose password cannot be read at the first connect. */
    private void badSettings() throws IOException {
        Map<String, String> userInHost = settings();
        userInHost.put("host", "ensm:" + urlPassword + "@127.0.0.1");
        refused(userInHost);
        Map<String, String> pastedEnv = settings();
        pastedEnv.remove("password-file");
        pastedEnv.put("password-env", pastedPassword);
        refused(pastedEnv);

        List<String> unreadable = List.of(pastedPassword, Files.writeString(dir.resolve("empty"), "\n").toString(),
                Files.createDirectory(dir.resolve("a-directory")).toString());
        for (String file : unreadable) {
            Map<String, String> s = settings();
            s.put("password-file", file);
            try (Backend b = backend(s)) {
                failure(() -> b.provision(intent("sec-pw", 3161)));
            }
        }
        Map<String, String> unsetEnv = settings();
        unsetEnv.remove("password-file");
        unsetEnv.put("password-env", "ENSM_TEST_UNSET_PASSWORD_VARIABLE");
        try (Backend b = backend(unsetEnv)) {
            failure(() -> b.verify(intent("sec-pw", 3161)));
        }
    }

    private void wrongPassword() throws IOException {
        Map<String, String> s = settings();
        s.put("password-file", Files.writeString(dir.resolve("wrong"), wrongPassword + "\n").toString());
        try (Backend b = backend(s)) {
            failure(() -> b.provision(intent("sec-wrong", 3162)));
            failure(() -> b.verify(intent("sec-wrong", 3162)));
            failure(() -> b.removeOrphans(id -> true));
        }
    }

    private void unreachableAndHangingUp() throws Exception {
        Map<String, String> down = settings();
        down.put("host", "127.0.0.1");
        down.put("port", Integer.toString(closedPort()));
        try (Backend b = backend(down)) {
            failure(() -> b.provision(intent("sec-down", 3163)));
            failure(() -> b.release(intent("sec-down", 3163)));
        }
        try (ServerSocket hangUp = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> hangUpAfterTheFirstBytes(hangUp));
            Map<String, String> s = settings();
            s.put("host", "127.0.0.1");
            s.put("port", Integer.toString(hangUp.getLocalPort()));
            try (Backend b = backend(s)) {
                failure(() -> b.provision(intent("sec-hangup", 3164)));
            }
            hangUp.close();
            server.join();
        }
    }

    /** Answers like an SSH server, reads what the client sends, then hangs up. */
    private static void hangUpAfterTheFirstBytes(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                in.readNBytes(new byte[64], 0, 64);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The box refuses an edit (a port it does not have), and its sessions are cut under a working endpoint. */
    private void refusedEditAndCutSessions() throws Exception {
        Map<String, String> badPort = settings();
        badPort.put("port-name", "eth9");
        try (Backend b = backend(badPort)) {
            failure(() -> b.provision(intent("sec-eth9", 3165)));
        }
        try (Backend b = backend(settings())) {
            ProvisionIntent ok = intent("sec-ok", 3166);
            b.provision(ok);
            bed.dropSessions(DEVICE);
            // each pooled session finds out it was cut on its next use, and a box still tearing the
            // cut sessions down may refuse the next one, after which the pool's circuit holds off
            // reconnecting for its backoff: retry as the reconciler would, until the box serves again
            boolean released = Await.within(Duration.ofSeconds(20), () -> {
                try {
                    b.release(ok);
                    return true;
                } catch (BackendException e) {
                    record(e);
                    return false;
                }
            });
            assertThat(released).as("the endpoint serves again once its sessions were cut; errors: %s", errors).isTrue();
        }
    }

    private Backend backend(Map<String, String> settings) {
        Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, settings));
        errors.add(b.toString());
        return b;
    }

    private static ProvisionIntent intent(String id, int vlan) {
        int host = vlan - 3100;
        return NetconfBackendTest.intent(id, vlan, "10.71." + host + ".0/32", "10.71." + host + ".1/32");
    }

    private void refused(Map<String, String> settings) {
        try (Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, settings))) {
            throw new AssertionError("the endpoint was made with bad settings " + settings.keySet() + ": " + b);
        } catch (IllegalArgumentException e) {
            errors.add(SecretScan.chain(e));
        }
    }

    private void failure(Call call) {
        try {
            call.run();
        } catch (BackendException e) {
            record(e);
            return;
        } catch (Exception e) {
            throw new AssertionError("expected a BackendException, got " + e, e);
        }
        throw new AssertionError("expected a BackendException, the call succeeded");
    }

    private void record(BackendException e) {
        errors.addAll(SecretScan.shown(ENDPOINT.name(), e));
    }

    interface Call {
        void run() throws Exception;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
