package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.core.testing.SecretScan;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.ensm.tf.vncdouble.Seed;
import io.ensm.tf.vncdouble.VncApiDouble;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real service (own JVM, ensm's loggers at debug) with netconf, openstack and tungsten
 * endpoints whose credentials are known: start-ups that a bad setting holding a credential stops,
 * then a running service whose requests fail on refused passwords and tokens, servers that are
 * down, and a TF failing half-way. The output of every run, every gRPC status the client saw,
 * {@code /actuator/health}, {@code /actuator/prometheus} and {@code /actuator/metrics}, every file
 * ensm wrote in its data directory, and the SQLite store itself are scanned for the credentials.
 */
@UsesNetconfTestbed(devices = 3)
@RealOpenStack
class SecretsEndToEndTest {
    static final String PREFIX = "sec-e2e-";
    static final String OS_USER = PREFIX + "ensm";
    static final int OS_VLAN = 153;
    static final Set<String> STORE_FILES = Set.of("ensm.db", "ensm.db-wal", "ensm.db-shm");

    final NetconfTestbed netconf;
    final TestBed openstack;
    final String osPassword = SecretScan.randomSecret();
    final String wrongPassword = SecretScan.randomSecret();
    final String tfToken = SecretScan.randomSecret();
    final String urlPassword = SecretScan.randomSecret();
    final String pastedSecret = SecretScan.randomSecret();
    final SecretScan scan;
    final List<String> statuses = new ArrayList<>();
    final StringBuilder outputs = new StringBuilder();

    @TempDir
    Path dir;
    Path secrets;

    SecretsEndToEndTest(NetconfTestbed netconf, TestBed openstack) throws IOException {
        this.netconf = netconf;
        this.openstack = openstack;
        this.scan = SecretScan.of()
                .password("device password", Files.readString(netconf.device(1).passwordFile()).strip())
                .password("OpenStack password", osPassword)
                .password("wrong password", wrongPassword)
                .password("TF token", tfToken)
                .password("password in a URL", urlPassword)
                .password("secret pasted into a setting", pastedSecret);
    }

    @Test
    void noCredentialReachesOutputStatusesActuatorOrDataDirectory() throws Exception {
        secrets = Files.createDirectories(dir.resolve("secrets"));
        RawOpenStack raw = new RawOpenStack(openstack);
        raw.sweep(PREFIX);
        String project = raw.createProject(PREFIX + "project");
        raw.createMember(OS_USER, osPassword, project);
        raw.vlanNetwork(PREFIX + "net", "physnet1", OS_VLAN, "172.16.53.0/24", project);
        try (VncApiDouble tf = VncApiDouble.start()) {
            Seed.standard(tf);
            tf.requireToken(tfToken);
            badStartUps(tf);
            runningService(tf);
        } finally {
            raw.sweep(PREFIX);
        }
    }

    /** Each configuration holds a credential next to its error; ensm must exit naming the key, not the value. */
    private void badStartUps(VncApiDouble tf) throws IOException {
        String keystone = openstack.keystoneUrl().replaceFirst("^http://", "");
        Map<String, String> netconfEnv = netconfEndpoint(1, "nc-bad", null);
        netconfEnv.remove("backend.settings.password-file");
        netconfEnv.put("backend.settings.password-env", pastedSecret);
        Map<String, String> osUrl = openstackEndpoint("os-bad", osPassword);
        osUrl.put("backend.settings.auth-url", "http://" + OS_USER + ":" + URLEncoder.encode(urlPassword, StandardCharsets.UTF_8)
                + "@" + keystone);
        Map<String, String> tfPasted = tungstenEndpoint(tf, "tf-bad");
        tfPasted.put("backend.settings.token-file", pastedSecret);
        Map<String, String> tfUrl = tungstenEndpoint(tf, "tf-bad");
        tfUrl.put("backend.settings.api-url", "http://ensm:" + urlPassword + "@127.0.0.1:" + tf.port());
        Map<String, String> tfStale = tungstenEndpoint(tf, "tf-bad");
        tfStale.put("backend.settings.token-file", secretFile("stale-token", wrongPassword).toString());

        List<Map<String, String>> bad = List.of(netconfEnv, osUrl, tfPasted, tfUrl, tfStale);
        List<String> keys = List.of("password-env", "auth-url", "token-file", "api-url", "token-file");
        for (int i = 0; i < bad.size(); i++) {
            Map<String, String> p = base();
            p.put("ensm.services[0].name", "svc-bad");
            p.put("ensm.services[0].cidrs[0]", "10.90.0.0/24");
            endpoint(p, 0, "svc-bad", bad.get(i));
            EnsmProcess ensm = new EnsmProcess(Files.createDirectories(dir.resolve("bad-" + i)), p);
            try {
                assertThat(ensm.startExpectingExit()).as(ensm.log()).isNotZero();
                assertThat(ensm.log()).as("start-up failure %d names the key", i).contains(keys.get(i));
            } finally {
                ensm.close();
                outputs.append(ensm.allLogs());
            }
        }
    }

    /** A running service: one good connection per backend, then requests that fail in each backend. */
    private void runningService(VncApiDouble tf) throws Exception {
        Map<String, String> p = base();
        List<String> names = List.of("nc-ok", "nc-wrong", "nc-down", "os-ok", "os-wrong", "os-down", "tf");
        List<Map<String, String>> endpoints = List.of(
                netconfEndpoint(2, "nc-ok", null),
                netconfEndpoint(1, "nc-wrong", secretFile("nc-wrong", wrongPassword)),
                withSetting(netconfEndpoint(3, "nc-down", null), "port", Integer.toString(closedPort())),
                openstackEndpoint("os-ok", osPassword),
                openstackEndpoint("os-wrong", wrongPassword),
                withSetting(openstackEndpoint("os-down", osPassword), "auth-url", "http://127.0.0.1:" + closedPort() + "/v3"),
                tungstenEndpoint(tf, "tf"));
        for (int i = 0; i < names.size(); i++) {
            p.put("ensm.services[" + i + "].name", "svc-" + names.get(i));
            // inside the subnets OpenStack and TF hold for these networks
            p.put("ensm.services[" + i + "].cidrs[0]", names.get(i).startsWith("os") ? "172.16.53." + (i * 32) + "/27"
                    : names.get(i).equals("tf") ? "10.60.0.0/24" : "10.9" + i + ".0.0/24");
            endpoint(p, i, "svc-" + names.get(i), endpoints.get(i));
        }
        EnsmProcess ensm = new EnsmProcess(Files.createDirectories(dir.resolve("run")), p);
        try (ensm) {
            ensm.start();
            List<Connection> ok = new ArrayList<>();
            try (Nsc nsc = new Nsc(ensm.target())) {
                for (String name : List.of("nc-ok", "os-ok", "tf")) {
                    ok.add(nsc.ns().request(Nsc.request("svc-" + name, inTenMinutes())));
                }
                for (String name : List.of("nc-wrong", "nc-down", "os-wrong", "os-down", "os-wrong")) {
                    refused(nsc, "svc-" + name);
                }
                tf.failNext(1, "POST", "/instance-ips", 500, "<html><body>Internal Server Error</body></html>");
                refused(nsc, "svc-tf");
                tf.revokeTokens();
                refused(nsc, "svc-tf");
                tf.requireToken(tfToken);
                tf.stop();
                refused(nsc, "svc-tf");
                tf.restart();

                String health = http(ensm, "/actuator/health");
                assertThat(health).contains("\"ensm\"").as("devices' failure reasons are scanned too").contains("\"backends\"");
                scan.assertClean("/actuator/health", health);
                scan.assertClean("/actuator/prometheus", http(ensm, "/actuator/prometheus"));
                scan.assertClean("/actuator/metrics", http(ensm, "/actuator/metrics"));
                scanDataDirectory(ensm.dataDir());
                for (Connection c : ok) {
                    nsc.ns().close(c);
                }
            }
            // a graceful stop, so that what ensm prints while shutting down is scanned too
            assertThat(ensm.stop()).as("exit code after SIGTERM").isIn(0, 143);
        } finally {
            outputs.append(ensm.allLogs());
        }
        scan.assertClean("gRPC statuses seen by the client", String.join("\n", statuses));
        scan.assertClean("ensm's output of every run", outputs.toString());
        assertThat(statuses).as("every failing request was refused").hasSize(8);
        assertThat(String.join("\n", statuses)).contains("UNAVAILABLE", "FAILED_PRECONDITION", "password refused",
                "refused the password");
        assertThat(outputs).contains("APPLICATION FAILED TO START", "event=ensm-started");
    }

    private void refused(Nsc nsc, String service) {
        try {
            Connection c = nsc.ns().request(Nsc.request(service, inTenMinutes()));
            throw new AssertionError("a request to " + service + " succeeded: " + c.getId());
        } catch (StatusRuntimeException e) {
            statuses.add(e.getStatus() + " " + e.getTrailers());
        }
    }

    /** Every file ensm wrote in its data directory, and the store's own files as raw bytes. */
    private void scanDataDirectory(Path data) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).as("the store exists").anySatisfy(f -> assertThat(f.getFileName().toString()).isEqualTo("ensm.db"));
        for (Path f : files) {
            // ISO-8859-1 keeps every byte, so UTF-8 text inside binary pages still matches
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            String what = (STORE_FILES.contains(f.getFileName().toString()) ? "the store file " : "the data file ") + f.getFileName();
            scan.assertClean(what, content);
        }
    }

    private Map<String, String> base() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", "ensm-secrets-e2e");
        p.put("ensm.reconcile-interval", "2s");
        p.put("logging.level.io.ensm", "DEBUG");
        return p;
    }

    private static void endpoint(Map<String, String> p, int i, String service, Map<String, String> settings) {
        p.put("ensm.endpoints[" + i + "].service", service);
        settings.forEach((k, v) -> p.put("ensm.endpoints[" + i + "]." + k, v));
    }

    private Map<String, String> netconfEndpoint(int device, String name, Path passwordFile) {
        NetconfTestbed.Device d = netconf.device(device);
        Map<String, String> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("backend.type", "netconf");
        e.put("backend.settings.host", d.host());
        e.put("backend.settings.port", Integer.toString(d.port()));
        e.put("backend.settings.username", d.username());
        e.put("backend.settings.password-file", (passwordFile == null ? d.passwordFile() : passwordFile).toString());
        e.put("backend.settings.known-hosts", d.knownHosts().toString());
        e.put("backend.settings.driver", "ietf");
        e.put("backend.settings.port-name", "eth1");
        e.put("backend.settings.uplink", "sec-up" + device);
        e.put("backend.settings.vlans", "3320-3329");
        return e;
    }

    private Map<String, String> openstackEndpoint(String name, String password) throws IOException {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("backend.type", "openstack");
        e.put("backend.settings.auth-url", openstack.keystoneUrl());
        e.put("backend.settings.username", OS_USER);
        e.put("backend.settings.password-file", secretFile("os-" + name, password).toString());
        e.put("backend.settings.project", PREFIX + "project");
        e.put("backend.settings.network", PREFIX + "net");
        e.put("backend.settings.vlans", Integer.toString(OS_VLAN));
        e.put("backend.settings.physical-network", "physnet1");
        e.put("backend.settings.uplink", "sec-os-" + name);
        e.put("backend.settings.timeout", "5s");
        return e;
    }

    private Map<String, String> tungstenEndpoint(VncApiDouble tf, String name) throws IOException {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("backend.type", "tungsten");
        e.put("backend.settings.api-url", tf.url());
        e.put("backend.settings.virtual-network", Seed.Standard.NETWORK);
        e.put("backend.settings.port-group", Seed.Standard.PORT_GROUP);
        e.put("backend.settings.uplink", "eth1");
        e.put("backend.settings.vlans", "300-309");
        e.put("backend.settings.timeout", "2s");
        e.put("backend.settings.retries", "1");
        e.put("backend.settings.token-file", secretFile("tf-token", tfToken).toString());
        return e;
    }

    private static Map<String, String> withSetting(Map<String, String> endpoint, String key, String value) {
        endpoint.put("backend.settings." + key, value);
        return endpoint;
    }

    private Path secretFile(String name, String value) throws IOException {
        return Files.writeString(secrets.resolve(name), value + "\n");
    }

    static Instant inTenMinutes() {
        return Instant.now().plus(Duration.ofMinutes(10));
    }

    static String http(EnsmProcess ensm, String path) throws Exception {
        Matcher m = Pattern.compile("Tomcat started on port (\\d+)").matcher(ensm.log());
        assertThat(m.find()).as("actuator port in the log").isTrue();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + m.group(1) + path)).build(), HttpResponse.BodyHandlers.ofString());
        // health answers 503 while a device is down, which the failure paths above leave some in
        assertThat(r.statusCode()).as(path).isIn(path.equals("/actuator/health") ? List.of(200, 503) : List.of(200));
        return r.body();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
