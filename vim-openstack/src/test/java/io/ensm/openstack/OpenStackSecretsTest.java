package io.ensm.openstack;

import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.SecretScan;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.ensm.core.testing.Contexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failure path of an {@code openstack} endpoint, with a project member whose password is
 * known, against the real Keystone and Neutron: a refused password, Keystone down, a server that
 * hangs up or fails with a page quoting the request, Neutron refusing, a revoked token, and
 * settings that hold a password where it does not belong. Nothing ensm logged, no exception
 * message or cause, no gRPC status and no toString may contain the password or a token.
 */
@RealOpenStack
class OpenStackSecretsTest {
    static final String PREFIX = "sec-os-";
    static final String USER = PREFIX + "ensm";
    static final String ENDPOINT = PREFIX + "edge";
    static final int VLAN = 152;
    static final String PASSWORD = SecretScan.randomSecret();

    static TestBed bed;
    static RawOpenStack raw;
    static Path dir;

    final String wrongPassword = SecretScan.randomSecret();
    final String urlPassword = SecretScan.randomSecret();
    final String pastedPassword = SecretScan.randomSecret();
    final SecretScan scan = SecretScan.of()
            .password("member password", PASSWORD)
            .password("wrong password", wrongPassword)
            .password("password in a URL", urlPassword)
            .password("password pasted into a setting", pastedPassword);
    final List<String> errors = new ArrayList<>();

    @BeforeAll
    static void setUp(TestBed testBed, @TempDir Path tmp) {
        bed = testBed;
        dir = tmp;
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        String project = raw.createProject(PREFIX + "project");
        raw.createMember(USER, PASSWORD, project);
        raw.vlanNetwork(PREFIX + "net", "physnet1", VLAN, "172.16.52.0/24", project);
    }

    @AfterAll
    static void tearDown() {
        if (raw != null) {
            raw.sweep(PREFIX);
        }
    }

    @Test
    void noPasswordOrTokenReachesLogsErrorsOrStatuses() throws Exception {
        Path logFile = logFile();
        long logStart = Files.size(logFile);
        String output;
        try (OutputCapture out = OutputCapture.start()) {
            badSettings();
            refusedPassword();
            keystoneDownOrFailing();
            neutronRefusingAndTokenRevoked();
            output = out.text() + logSince(logFile, logStart);
        }

        assertThat(errors).as("every failure path ran").hasSizeGreaterThanOrEqualTo(24);
        assertThat(String.join("\n", errors)).as("the messages still say what failed").contains(
                "auth-url: 'http://***@127.0.0.1", "password-file: cannot read (not shown", "is empty", "Is a directory",
                "password-env: environment variable (not shown", "password: not accepted", "refused the password of user " + USER,
                "is unreachable", "HTTP 500");
        assertThat(output).contains("event=keystone-login-failed", "event=keystone-token-refused");
        scan.assertClean("what ensm logged", output);
        scan.assertClean("exception messages, causes and statuses", String.join("\n", errors));
    }

    /** The module's tests log to a file, down to debug (see the pom); the console gets what else is printed. */
    static Path logFile() throws IOException {
        // slf4j-simple truncates the file when it starts: let it start before the size is taken
        org.slf4j.LoggerFactory.getLogger(OpenStackSecretsTest.class).info("event=secrets-scan-start");
        String file = System.getProperty("org.slf4j.simpleLogger.logFile");
        assertThat(file).as("the test log file (surefire's systemPropertyVariables)").isNotBlank();
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            Files.createFile(p);
        }
        return p;
    }

    static String logSince(Path file, long offset) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
    }

    static Map<String, String> member(String password) {
        Path pw = dir.resolve("pw-" + Integer.toHexString(password.hashCode()));
        TestBed.writePassword(pw, password);
        Map<String, String> s = new LinkedHashMap<>();
        s.put("auth-url", bed.keystoneUrl());
        s.put("username", USER);
        s.put("password-file", pw.toString());
        s.put("project", PREFIX + "project");
        s.put("physical-network", "physnet1");
        s.put("uplink", "eth1");
        s.put("network", PREFIX + "net");
        s.put("vlans", Integer.toString(VLAN));
        s.put("timeout", "3s");
        return s;
    }

    private OpenStackBackend backend(Map<String, String> settings) {
        OpenStackBackend b = new OpenStackBackendProvider(Clock.systemUTC()).create(Intents.endpoint(ENDPOINT),
                OpenStackSettings.parse(settings), Contexts.OWNER);
        errors.add(b.toString());
        return b;
    }

    static ProvisionIntent intent(String address) {
        return Intents.intent(ENDPOINT, "uplink:eth1/vlan:" + VLAN, VLAN, address, "172.16.52.201");
    }

    /** Settings refused at start that carry a password: in a URL, pasted as a file or variable name, or in clouds.yaml. */
    private void badSettings() throws IOException {
        String keystone = bed.keystoneUrl().replaceFirst("^http://", "");
        List<Map<String, String>> bad = new ArrayList<>(List.of(
                Map.of("auth-url", "http://" + USER + ":" + URLEncoder.encode(urlPassword, StandardCharsets.UTF_8) + "@" + keystone),
                Map.of("auth-url", "http://" + USER + ":" + urlPassword + "@" + keystone),
                Map.of("auth-url", "http://" + USER + ":" + urlPassword + "@ bad host/v3"),
                Map.of("password-file", pastedPassword),
                Map.of("password-file", Files.writeString(dir.resolve("empty"), "\n").toString()),
                Map.of("password-file", Files.createDirectories(dir.resolve("a-directory")).toString()),
                Map.of("password", pastedPassword)));
        Map<String, String> pastedEnv = new LinkedHashMap<>(Map.of("password-env", pastedPassword));
        pastedEnv.put("password-file", "");
        bad.add(pastedEnv);
        Path brokenClouds = Files.writeString(dir.resolve("broken-clouds.yaml"),
                "clouds:\n  lab:\n    auth:\n      password: " + pastedPassword + "\n      username: [unclosed\n");
        Path userInfoClouds = Files.writeString(dir.resolve("clouds.yaml"), "clouds:\n  lab:\n    auth:\n"
                + "      auth_url: http://" + USER + ":" + urlPassword + "@" + keystone + "\n"
                + "      username: " + USER + "\n      password: " + pastedPassword + "\n      project_name: " + PREFIX + "project\n");
        for (Path clouds : List.of(brokenClouds, userInfoClouds)) {
            Map<String, String> c = new LinkedHashMap<>(Map.of("cloud", "lab", "clouds-file", clouds.toString()));
            c.putAll(Map.of("auth-url", "", "username", "", "password-file", "", "project", ""));
            bad.add(c);
        }
        for (Map<String, String> overrides : bad) {
            Map<String, String> s = member(PASSWORD);
            s.putAll(overrides);
            s.values().removeIf(String::isEmpty);
            try {
                Backend b = backend(s);
                b.close();
                throw new AssertionError("an endpoint was made with bad settings " + s.keySet());
            } catch (IllegalArgumentException e) {
                errors.add(SecretScan.chain(e));
            }
        }
    }

    private void refusedPassword() {
        Map<String, String> s = member(wrongPassword);
        s.put("auth-retry-after", "10m");
        try (OpenStackBackend b = backend(s)) {
            failure(() -> b.verify(intent("172.16.52.10")));
            failure(() -> b.provision(intent("172.16.52.10")));
        }
    }

    /** Keystone down, a server that hangs up after reading the login, one that answers 500 quoting it. */
    private void keystoneDownOrFailing() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        for (Answer answer : List.of(Answer.HANG_UP, Answer.ECHO_500)) {
            try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
                Thread t = Thread.ofVirtual().start(() -> serve(server, answer));
                Map<String, String> s = member(PASSWORD);
                s.put("auth-url", "http://127.0.0.1:" + server.getLocalPort() + "/v3");
                try (OpenStackBackend b = backend(s)) {
                    failure(() -> b.verify(intent("172.16.52.10")));
                }
                server.close();
                t.join();
            }
        }
        Map<String, String> down = member(PASSWORD);
        down.put("auth-url", "http://127.0.0.1:" + closed + "/v3");
        try (OpenStackBackend b = backend(down)) {
            failure(() -> b.provision(intent("172.16.52.10")));
        }
    }

    enum Answer { HANG_UP, ECHO_500 }

    /** A broken Keystone: reads one request, then hangs up or answers 500 with a page that quotes it. */
    private static void serve(ServerSocket server, Answer answer) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                String request = readRequest(s.getInputStream());
                if (answer == Answer.ECHO_500) {
                    byte[] page = ("<html><body><h1>Internal Server Error</h1><pre>" + request + "</pre></body></html>")
                            .getBytes(StandardCharsets.UTF_8);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: " + page.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(page);
                    out.flush();
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The head and, by its Content-Length, the body of one HTTP request. */
    private static String readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return head.toString();
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Neutron refusing an address and a missing network, then a token revoked under a working endpoint. */
    private void neutronRefusingAndTokenRevoked() throws Exception {
        try (OpenStackBackend b = backend(member(PASSWORD))) {
            failure(() -> b.provision(intent("10.99.0.10")));
            Map<String, String> gone = member(PASSWORD);
            gone.put("network", PREFIX + "no-such-net");
            try (OpenStackBackend missing = backend(gone)) {
                failure(() -> missing.provision(intent("172.16.52.11")));
            }

            ProvisionIntent ok = intent("172.16.52.12");
            b.provision(ok);
            String first = b.cloud().tokens().token().id();
            scan.password("first token", first);
            raw.revoke(first);
            // Neutron trusts a validated token for a few seconds
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (raw.statusWithToken(first) != 401) {
                assertThat(System.nanoTime()).as("Neutron still accepts the revoked token").isLessThan(deadline);
                Thread.sleep(500);
            }
            b.verify(ok);
            scan.password("renewed token", b.cloud().tokens().token().id());
            b.release(ok);
        }
    }

    private void failure(Call call) {
        try {
            call.run();
        } catch (BackendException e) {
            errors.addAll(SecretScan.shown(ENDPOINT, e));
            return;
        } catch (Exception e) {
            throw new AssertionError("expected a BackendException, got " + e, e);
        }
        throw new AssertionError("expected a BackendException, the call succeeded");
    }

    interface Call {
        void run() throws Exception;
    }
}
