package io.ensm.app.e2e;

import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.TestCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.ensm.app.e2e.InProcessEnsm.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/** ensm.tls.*: plaintext only on loopback unless insecure is asked for loudly; bad TLS settings stop start-up naming the key. */
class TlsConfigValidationTest {
    private static final TestCa CA = TestCa.create("example.org");

    @TempDir
    Path dir;

    Map<String, String> valid() {
        Map<String, String> p = InProcessEnsm.settings(dir.resolve("data"));
        p.put("ensm.services[0].name", "breakout");
        p.put("ensm.services[0].cidrs[0]", "10.60.0.0/24");
        return p;
    }

    Map<String, String> pem(TestCa.Files3 f) {
        Map<String, String> p = valid();
        p.put("ensm.tls.mode", "pem-files");
        p.put("ensm.tls.pem.svid", f.svid().toString());
        p.put("ensm.tls.pem.key", f.key().toString());
        p.put("ensm.tls.pem.bundle", f.bundle().toString());
        return p;
    }

    @Test
    void listeningOffLoopbackWithoutTlsIsRefusedNamingTlsMode() {
        Map<String, String> s = valid();
        s.put("ensm.listen", "0.0.0.0:" + EnsmProcess.freePort());
        s.put("ensm.advertised-url", "tcp://192.0.2.10:5003");
        assertThat(failureOf(s)).contains("ensm.tls.mode", "not loopback", "spiffe-workload-api", "insecure");
    }

    @Test
    void aRegistryOffLoopbackWithoutTlsIsRefusedNamingTlsMode() {
        Map<String, String> s = valid();
        s.put("ensm.registry-url", "tcp://192.0.2.20:5002");
        assertThat(failureOf(s)).contains("ensm.tls.mode", "192.0.2.20");
    }

    @Test
    void insecureOffLoopbackStartsWithALoudWarning() {
        Map<String, String> s = valid();
        s.put("ensm.listen", "0.0.0.0:" + EnsmProcess.freePort());
        s.put("ensm.advertised-url", "tcp://192.0.2.10:5003");
        s.put("ensm.tls.mode", "insecure");
        try (OutputCapture out = OutputCapture.start(); ConfigurableApplicationContext ignored = InProcessEnsm.run(s)) {
            assertThat(out.text()).contains("WARN", "event=tls-insecure", "NO TLS, NO PATH TOKENS, NO AUTHORIZATION");
        }
    }

    @Test
    void unknownModeIsRefusedNamingTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.tls.mode", "tls");
        assertThat(failureOf(s)).contains("ensm.tls.mode", "spiffe-workload-api");
    }

    @Test
    void pemFilesNeedsAllThreeFiles() {
        Map<String, String> s = valid();
        s.put("ensm.tls.mode", "pem-files");
        assertThat(failureOf(s)).contains("ensm.tls.pem.svid", "pem-files");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingTheFile() throws Exception {
        TestCa.Files3 f = CA.issue("ensm", Duration.ofHours(1)).writeTo(dir.resolve("pem"));
        Files.writeString(f.key(), CA.issue("ensm", Duration.ofHours(1)).keyPem());
        assertThat(failureOf(pem(f))).contains("ensm.tls.pem", "does not belong to its certificate");
    }

    @Test
    void anRsaSvidIsRefusedBecausePathTokensAreEs256() {
        TestCa.Files3 f = CA.issue("ensm", Duration.ofHours(1), TestCa.rsaKeyPair()).writeTo(dir.resolve("pem"));
        assertThat(failureOf(pem(f))).contains("ensm.tls", "RSA", "ES256");
    }

    @Test
    void workloadApiWithoutASocketIsRefusedNamingTheKeyAndTheVariable() {
        Map<String, String> s = valid();
        s.put("ensm.tls.mode", "spiffe-workload-api");
        s.put("ensm.tls.workload-api.socket", "");
        assertThat(failureOf(s)).contains("ensm.tls.workload-api.socket", "SPIFFE_ENDPOINT_SOCKET");
    }

    @Test
    void anAllowedCallerThatIsNotASpiffeIdIsRefusedNamingIt() {
        Map<String, String> s = pem(CA.issue("ensm", Duration.ofHours(1)).writeTo(dir.resolve("pem")));
        s.put("ensm.tls.allowed-callers[0]", "nsmgr");
        assertThat(failureOf(s)).contains("ensm.tls.allowed-callers[0]", "nsmgr", "not a SPIFFE ID");
    }

    @Test
    void aMonitorAllCallerThatIsNotASpiffeIdIsRefusedNamingIt() {
        Map<String, String> s = pem(CA.issue("ensm", Duration.ofHours(1)).writeTo(dir.resolve("pem")));
        s.put("ensm.tls.monitor-all-callers[0]", "ops/ensmctl");
        assertThat(failureOf(s)).contains("ensm.tls.monitor-all-callers[0]", "ops/ensmctl", "not a SPIFFE ID");
    }

    @Test
    void allowedCallersWithoutTlsAreRefused() {
        Map<String, String> s = valid();
        s.put("ensm.tls.allowed-callers[0]", "spiffe://example.org/nsmgr");
        assertThat(failureOf(s)).contains("ensm.tls.allowed-callers", "mutual TLS");
    }
}
