package io.ensm.tf.backend;

import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.SecretScan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failure path of a {@code tungsten} endpoint run with known credentials (a fixed token, a
 * Keystone password, a password in a URL): refused tokens and passwords, TF down, TF failing
 * half-way, and bad settings that hold a credential. Nothing ensm logged, no exception message or
 * cause, no gRPC status and no toString may contain any of them, in any encoding.
 */
class TungstenSecretsTest {
    static final String PROJECT = "admin";
    static final String USER = "ensm-tf";

    final String token = SecretScan.randomSecret();
    final String staleToken = SecretScan.randomSecret();
    final String password = SecretScan.randomSecret();
    final String wrongPassword = SecretScan.randomSecret();
    final String urlPassword = SecretScan.randomSecret();
    final SecretScan scan = SecretScan.of()
            .password("TF token", token)
            .password("stale TF token", staleToken)
            .password("Keystone password", password)
            .password("wrong Keystone password", wrongPassword)
            .password("password in a URL", urlPassword);
    final List<String> errors = new ArrayList<>();

    @TempDir
    Path dir;

    @Test
    void noTokenOrPasswordReachesLogsErrorsOrStatuses() throws Exception {
        String output;
        try (OutputCapture out = OutputCapture.start(); TfBed bed = TfBed.onDouble()) {
            badSettings(bed);
            refusedAtStart(bed);
            tokenFileEndpoint(bed);
            keystoneEndpoint(bed);
            output = out.text();
        }

        assertThat(errors).as("every failure path ran").hasSizeGreaterThanOrEqualTo(24);
        assertThat(output).contains("event=tf-api-retry", "event=keystone-token-issued");
        assertThat(String.join("\n", errors)).as("the messages still name the key and the problem").contains(
                "api-url: 'http://***@127.0.0.1", "keystone-url: 'http://***@127.0.0.1", "token-file: cannot read (not shown",
                "keystone-password-file: cannot read (not shown", "the file is empty", "keystone-username: POST");
        scan.assertClean("what ensm logged", output);
        scan.assertClean("exception messages, causes and statuses", String.join("\n", errors));
    }

    /** Settings that hold a credential where it does not belong, or point at one that cannot be read. */
    private void badSettings(TfBed bed) throws IOException {
        String host = "127.0.0.1:" + bed.api().port();
        Path empty = Files.writeString(dir.resolve("empty-token"), "\n");
        List<Map<String, String>> bad = List.of(
                Map.of("api-url", "http://ensm:" + urlPassword + "@" + host),
                Map.of("api-url", "http://ensm:" + URLEncoder.encode(urlPassword, StandardCharsets.UTF_8) + "@" + host),
                Map.of("api-url", "http://ensm:" + urlPassword + "@" + host + "/ bad"),
                Map.of("api-url", "ftp://ensm:" + urlPassword + "@" + host),
                Map.of("token-file", empty.toString()),
                Map.of("token-file", token),
                Map.of("keystone-url", "http://ensm:" + urlPassword + "@" + host + "/v3", "keystone-username", USER,
                        "keystone-password-file", passwordFile(password).toString(), "keystone-project", PROJECT),
                Map.of("keystone-url", bed.api().url() + "/v3", "keystone-username", USER,
                        "keystone-password-file", password, "keystone-project", PROJECT));
        for (Map<String, String> overrides : bad) {
            Map<String, String> s = bed.settings();
            s.putAll(overrides);
            refused(s);
        }
    }

    /** TF answers the start-up lookups with 401: a stale token, then a refused Keystone password. */
    private void refusedAtStart(TfBed bed) throws IOException {
        bed.api().requireToken(token);
        Map<String, String> stale = bed.settings();
        stale.put("token-file", tokenFile(staleToken).toString());
        refused(stale);

        bed.api().keystoneUser(USER, password, PROJECT);
        Map<String, String> wrong = keystoneSettings(bed, wrongPassword);
        refused(wrong);
    }

    /** A token-file endpoint: TF failing half-way (500), down, and the token refused later on. */
    private void tokenFileEndpoint(TfBed bed) throws IOException {
        Map<String, String> s = bed.settings();
        s.put("token-file", tokenFile(token).toString());
        try (TungstenBackend b = TfBed.backend(TfBed.ENDPOINT, s)) {
            errors.add(b.toString());
            ProvisionIntent first = bed.intent("sec-1", 301, "10.60.0.11/32");
            bed.api().failNext(1, "POST", "/instance-ips", 500, "<html><body>Internal Server Error</body></html>");
            failure(() -> b.provision(first));
            bed.api().failNext(3, "GET", "/virtual-machine-interface/", 503, "Service Unavailable");
            failure(() -> b.verify(first));

            bed.api().stop();
            failure(() -> b.provision(first));
            failure(() -> b.removeOrphans(id -> false));
            bed.api().restart();

            bed.api().revokeTokens();
            failure(() -> b.provision(bed.intent("sec-2", 302, "10.60.0.12/32")));
            failure(() -> b.release(first));
        }
        bed.api().requireToken(token);
    }

    /** A Keystone endpoint: the token is renewed after a revocation, then the password is changed under it. */
    private void keystoneEndpoint(TfBed bed) throws Exception {
        Map<String, String> s = keystoneSettings(bed, password);
        try (TungstenBackend b = TfBed.backend(TfBed.ENDPOINT, s)) {
            ProvisionIntent ok = bed.intent("sec-3", 303, "10.60.0.13/32");
            b.provision(ok);
            issuedTokens(bed, "Keystone-issued token");

            bed.api().revokeTokens();
            b.verify(ok);
            issuedTokens(bed, "renewed Keystone-issued token");

            bed.api().keystoneUser(USER, SecretScan.randomSecret(), PROJECT);
            bed.api().revokeTokens();
            failure(() -> b.verify(ok));
            failure(() -> b.release(ok));

            bed.api().keystoneUser(USER, password, PROJECT);
            b.release(ok);
        }
    }

    private void issuedTokens(TfBed bed, String label) {
        bed.api().tokens().stream().filter(t -> !t.equals(token)).forEach(t -> scan.password(label, t));
    }

    private Map<String, String> keystoneSettings(TfBed bed, String pw) throws IOException {
        Map<String, String> s = bed.settings();
        s.put("keystone-url", bed.api().url() + "/v3");
        s.put("keystone-username", USER);
        s.put("keystone-password-file", passwordFile(pw).toString());
        s.put("keystone-project", PROJECT);
        return s;
    }

    private Path passwordFile(String pw) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "pw", ""), pw + "\n");
    }

    private Path tokenFile(String t) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "token", ""), t + "\n");
    }

    /** The endpoint must not start; its message chain and the objects' texts are kept for the scan. */
    private void refused(Map<String, String> settings) {
        try (Backend b = TfBed.backend(TfBed.ENDPOINT, settings)) {
            throw new AssertionError("the endpoint started with bad settings " + settings.keySet() + ": " + b);
        } catch (IllegalArgumentException e) {
            errors.add(SecretScan.chain(e));
        }
    }

    private void failure(TungstenBackendFaultTest.ThrowingCall call) {
        BackendException e = TungstenBackendFaultTest.failure(call);
        errors.addAll(SecretScan.shown(TfBed.ENDPOINT, e));
    }
}
