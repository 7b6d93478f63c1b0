package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.PathSegment;
import io.ensm.core.testing.IndependentJwt;
import io.ensm.core.testing.SecretScan;
import io.ensm.core.testing.TestCa;
import io.ensm.ctl.Cli;
import io.ensm.ctl.Cli.Result;
import io.ensm.ctl.ConnectionFile;
import io.ensm.ctl.Ensmctl;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real service in its own JVM with PEM files from a test CA, and ensmctl talking mutual TLS
 * with path tokens to it: the registry, Request, refresh and Close; refusals of a caller that is
 * not allowed, of plaintext and of another trust domain; the SVID in health and metrics; a
 * rotation while running; and a log that holds no key or token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsEndToEndTest {
    static final TestCa CA = TestCa.create("example.org");
    static final TestCa.Svid ENSM = CA.issue("ns/ensm", Duration.ofHours(1));
    static final TestCa.Svid CTL = CA.issue("ensmctl", Duration.ofHours(1));
    static final TestCa.Svid INTRUDER = CA.issue("intruder", Duration.ofHours(1));
    static final List<String> TOKENS_SEEN = new ArrayList<>();
    static final List<TestCa.Svid> ENSM_SVIDS = new ArrayList<>(List.of(ENSM));

    @TempDir
    static Path dir;
    @AutoClose
    static EnsmProcess ensm;
    static TestCa.Files3 ensmFiles;
    static TestCa.Files3 ctlFiles;

    @BeforeAll
    static void start() {
        ensmFiles = ENSM.writeTo(dir.resolve("ensm-pem"));
        ctlFiles = CTL.writeTo(dir.resolve("ctl-pem"));
        Map<String, String> p = EndToEndTest.config(dir);
        p.put("ensm.tls.mode", "pem-files");
        p.put("ensm.tls.pem.svid", ensmFiles.svid().toString());
        p.put("ensm.tls.pem.key", ensmFiles.key().toString());
        p.put("ensm.tls.pem.bundle", ensmFiles.bundle().toString());
        p.put("ensm.tls.pem.reload-interval", "500ms");
        p.put("ensm.tls.allowed-callers[0]", CTL.spiffeId());
        ensm = new EnsmProcess(dir, p).start();
    }

    /** ensmctl against the service, with the SVID files of {@code as} (none: no TLS options). */
    static Result ctl(TestCa.Files3 as, String... args) {
        List<String> all = new ArrayList<>();
        if (as != null) {
            all.addAll(List.of("--tls-svid", as.svid().toString(), "--tls-key", as.key().toString(),
                    "--tls-bundle", as.bundle().toString()));
        }
        all.addAll(List.of(args));
        return Cli.against(ensm.target(), "ensmctl-e2e").run(all.toArray(String[]::new));
    }

    static String http(String path) throws Exception {
        Matcher m = Pattern.compile("Tomcat started on port (\\d+)").matcher(ensm.log());
        assertThat(m.find()).as("actuator port in the log").isTrue();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + m.group(1) + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    static void keepTokens(Path connectionFile) {
        for (PathSegment s : ConnectionFile.load(connectionFile).getPath().getPathSegmentsList()) {
            TOKENS_SEEN.add(s.getToken());
        }
    }

    @Test
    @Order(1)
    void ensmctlFindsTheRegisteredEndpointOverMtls() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Result r = ctl(ctlFiles, "nse", "list");
        while (!r.out().contains(EndToEndTest.ENDPOINT) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = ctl(ctlFiles, "nse", "list");
        }
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(EndToEndTest.ENDPOINT);
    }

    @Test
    @Order(2)
    void requestRefreshAndCloseOverMtlsWithPathTokens() {
        Path saved = dir.resolve("conn.json");
        Result request = ctl(ctlFiles, "request", "--service", EndToEndTest.SERVICE, "--mechanism", "VLAN", "--save", saved.toString());
        assertThat(request.exitCode()).as(request.err()).isZero();
        keepTokens(saved);
        Connection c = ConnectionFile.load(saved);
        IndependentJwt ctlToken = IndependentJwt.parse(c.getPath().getPathSegments(0).getToken());
        assertThat(ctlToken.verifiesWith(CTL.leaf().getPublicKey())).isTrue();
        assertThat(ctlToken.claim("aud").getAsJsonArray().get(0).getAsString()).isEqualTo(ENSM.spiffeId());
        IndependentJwt ensmToken = IndependentJwt.parse(c.getPath().getPathSegments(1).getToken());
        assertThat(ensmToken.verifiesWith(ENSM.leaf().getPublicKey())).as("ensm's token, checked without ensm's JWT library").isTrue();
        assertThat(ensmToken.claim("sub").getAsString()).isEqualTo(ENSM.spiffeId());
        assertThat(ensmToken.claim("aud").getAsJsonArray().get(0).getAsString()).isEqualTo(CTL.spiffeId());

        Result byCallerId = ctl(ctlFiles, "show", c.getId());
        assertThat(byCallerId.err()).as("the caller's own id alone names no connection ensm holds for it")
                .startsWith("error: PERMISSION_DENIED");
        Result show = ctl(ctlFiles, "show", "--from", saved.toString());
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).contains("id=" + c.getId(), "state:         UP");
        Result listAll = ctl(ctlFiles, "list");
        assertThat(listAll.exitCode()).as("a caller lists every connection only when it may watch them all").isEqualTo(1);
        assertThat(listAll.err()).startsWith("error: PERMISSION_DENIED").contains("monitor-all-callers");

        Result refresh = ctl(ctlFiles, "refresh", "--from", saved.toString(), "--save", saved.toString());
        assertThat(refresh.exitCode()).as(refresh.err()).isZero();
        keepTokens(saved);
        Result close = ctl(ctlFiles, "close", "--from", saved.toString());
        assertThat(close.exitCode()).as(close.err()).isZero();
    }

    @Test
    @Order(3)
    void aCallerThatIsNotAllowedIsRefusedNamingThePolicy() {
        Result r = ctl(INTRUDER.writeTo(dir.resolve("intruder-pem")), "request", "--service", EndToEndTest.SERVICE,
                "--mechanism", "VLAN");
        assertThat(r.exitCode()).isEqualTo(Ensmctl.EXIT_RPC);
        assertThat(r.err()).contains("PERMISSION_DENIED", "allowed_callers", INTRUDER.spiffeId());
    }

    @Test
    @Order(4)
    void plaintextAndAnotherTrustDomainFailTheHandshake() {
        Result plain = ctl(null, "--plaintext", "nse", "list");
        assertThat(plain.exitCode()).isEqualTo(Ensmctl.EXIT_UNREACHABLE);
        TestCa other = TestCa.create("other.org");
        TestCa.Files3 stranger = other.issue("ensmctl", Duration.ofHours(1)).writeTo(dir.resolve("stranger-pem"));
        Result foreign = ctl(stranger, "nse", "list");
        assertThat(foreign.exitCode()).isEqualTo(Ensmctl.EXIT_UNREACHABLE);
        assertThat(foreign.err()).contains("UNAVAILABLE");
    }

    @Test
    @Order(5)
    void healthAndMetricsShowTheSvidAndTheRefusals() throws Exception {
        String health = http("/actuator/health");
        assertThat(health).contains("\"tls\":\"mtls (pem-files)\"", "\"spiffeId\":\"" + ENSM.spiffeId() + "\"",
                "\"expires\":\"" + ENSM.leaf().getNotAfter().toInstant() + "\"", "\"serial\":\"" + ENSM.leaf().getSerialNumber().toString(16));
        String metrics = http("/actuator/prometheus");
        assertThat(metrics).contains("ensm_tls_svid_expiry_seconds{spiffe_id=\"" + ENSM.spiffeId() + "\"} "
                + (double) ENSM.leaf().getNotAfter().toInstant().getEpochSecond());
        assertThat(metrics).containsPattern("ensm_authz_refusals_total\\{policy=\"allowed_callers\"} [1-9]");
        assertThat(metrics).contains("ensm_authz_refusals_total{policy=\"tokens_chained\"} 0.0");
        assertThat(metrics).containsPattern("ensm_grpc_server_calls_seconds_count\\{method=\"networkservice.NetworkService/Request\","
                + "status=\"PERMISSION_DENIED\"} [1-9]");
    }

    @Test
    @Order(6)
    void aRotatedSvidIsUsedWithoutARestart() throws Exception {
        TestCa.Svid next = CA.issue("ns/ensm", Duration.ofHours(2));
        ENSM_SVIDS.add(next);
        next.writeTo(dir.resolve("ensm-pem"));
        String serial = "\"serial\":\"" + next.leaf().getSerialNumber().toString(16) + "\"";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!http("/actuator/health").contains(serial) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(http("/actuator/health")).contains(serial);
        assertThat(ensm.log()).contains("event=svid-rotated");

        Path saved = dir.resolve("after-rotation.json");
        Result r = ctl(ctlFiles, "request", "--service", EndToEndTest.SERVICE, "--mechanism", "VLAN", "--save", saved.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        keepTokens(saved);
        String token = ConnectionFile.load(saved).getPath().getPathSegments(1).getToken();
        assertThat(IndependentJwt.parse(token).verifiesWith(next.leaf().getPublicKey())).as("signed with the new key").isTrue();
        assertThat(ensm.isAlive()).isTrue();
    }

    @Test
    @Order(7)
    void theServiceLogHoldsNoKeyOrToken() {
        SecretScan scan = SecretScan.of().privateKey("ensmctl key", CTL.key(), CTL.keyPemLines())
                .privateKey("intruder key", INTRUDER.key(), INTRUDER.keyPemLines());
        for (int i = 0; i < ENSM_SVIDS.size(); i++) {
            scan.privateKey("ensm key " + i, ENSM_SVIDS.get(i).key(), ENSM_SVIDS.get(i).keyPemLines());
        }
        assertThat(TOKENS_SEEN).hasSizeGreaterThanOrEqualTo(6);
        for (int i = 0; i < TOKENS_SEEN.size(); i++) {
            scan.token("path token " + i, TOKENS_SEEN.get(i));
        }
        assertThat(ensm.log()).contains("event=call-refused", "policy=allowed_callers");
        scan.assertClean("the service log", ensm.allLogs());
    }
}
