package io.ensm.core.runtime;

import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.core.identity.IdentityException;
import io.ensm.core.identity.PemFileIdentity;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.SecretScan;
import io.ensm.core.testing.SecureClient;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import io.ensm.core.testing.Tokens;
import io.ensm.core.token.TokenMetadata;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs the wire-security failure paths (broken identity files, refused tokens, failed handshakes,
 * refused registrations) and scans everything ensm logged and every error the clients saw for
 * private keys and tokens.
 */
class SecretsInLogsTest {
    private static final TestCa CA = TestCa.create("example.org");

    @TempDir
    Path dir;

    @Test
    void noKeyOrTokenReachesLogsOrErrors() throws Exception {
        TestCa.Svid ensmSvid = CA.issue("ensm", Duration.ofHours(1));
        TestCa.Svid nsc = CA.issue("nsc", Duration.ofHours(1));
        TestCa.Svid stranger = TestCa.create("other.org").issue("nsc", Duration.ofHours(1));
        Instant later = Instant.now().plusSeconds(600);
        List<String> sent = List.of(
                Tokens.signed(nsc, CA.id("ensm"), Instant.now().minusSeconds(5)),
                Tokens.signedByOther(nsc, stranger, CA.id("ensm"), later),
                Tokens.signed(nsc, CA.id("nobody"), later),
                Tokens.stringAudience(nsc, CA.id("ensm"), later));
        SecretScan scan = SecretScan.of()
                .privateKey("ensm key", ensmSvid.key(), ensmSvid.keyPemLines())
                .privateKey("nsc key", nsc.key(), nsc.keyPemLines())
                .privateKey("stranger key", stranger.key(), stranger.keyPemLines());
        for (int i = 0; i < sent.size(); i++) {
            scan.token("sent token " + i, sent.get(i));
        }
        List<String> errors = new ArrayList<>();

        String output;
        try (OutputCapture out = OutputCapture.start()) {
            brokenIdentityFiles(ensmSvid, nsc, errors);
            SecureRuntimes ensm = new SecureRuntimes(ensmSvid, dir.resolve("ensm"), Duration.ZERO, Set.of(CA.id("nsc")));
            try {
                SecureClient client = new SecureClient(StaticIdentity.of(nsc), ensm.target());
                for (String token : sent) {
                    call(client.withToken(token, TokenMetadata.formatExpires(later)), errors);
                }
                ManagedChannel good = client.withTokens();
                var reply = NetworkServiceGrpc.newBlockingStub(good).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .request(Requests.request().service(SecureRuntimes.SERVICE).mechanisms(Requests.vlan()).build());
                reply.getPath().getPathSegmentsList().forEach(s -> scan.token("token in a reply", s.getToken()));
                SecureClient.close(good);
                call(new SecureClient(StaticIdentity.of(stranger, List.of(stranger.ca(), CA)), ensm.target()).withTokens(), errors);
                call(new SecureClient(StaticIdentity.of(CA.issue("not-allowed", Duration.ofHours(1))), ensm.target()).withTokens(), errors);
                ManagedChannel registry = client.withoutTokens();
                try {
                    NetworkServiceEndpointRegistryGrpc.newBlockingStub(registry).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .register(NetworkServiceEndpoint.newBuilder().setName(SecureRuntimes.ENDPOINT).build());
                } catch (StatusRuntimeException e) {
                    errors.add(e.getStatus().toString());
                } finally {
                    SecureClient.close(registry);
                }
            } finally {
                ensm.close();
            }
            output = out.text();
        }

        assertThat(errors).as("every failure path ran").hasSizeGreaterThanOrEqualTo(sent.size() + 5);
        assertThat(output).contains("event=request-refused", "event=call-refused", "event=registry-call-refused");
        scan.assertClean("ensm's log", output);
        scan.assertClean("errors seen by callers and operators", String.join("\n", errors));
    }

    private void brokenIdentityFiles(TestCa.Svid svid, TestCa.Svid other, List<String> errors) throws Exception {
        TestCa.Files3 f = svid.writeTo(dir.resolve("broken"));
        Files.writeString(f.key(), other.keyPem());
        errors.add(message(() -> PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO)));
        Files.writeString(f.key(), svid.keyPem().replace("PRIVATE KEY", "EC PRIVATE KEY"));
        errors.add(message(() -> PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO)));
        Files.writeString(f.key(), svid.keyPem().substring(0, svid.keyPem().length() / 2));
        errors.add(message(() -> PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO)));
    }

    private static String message(Runnable r) {
        try {
            r.run();
        } catch (IdentityException e) {
            return e.getMessage();
        }
        throw new AssertionError("a broken identity loaded");
    }

    private static void call(ManagedChannel channel, List<String> errors) {
        try {
            assertThatThrownBy(() -> NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .request(Requests.request().service(SecureRuntimes.SERVICE).mechanisms(Requests.vlan()).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> errors.add(e.getStatus().toString()));
        } finally {
            SecureClient.close(channel);
        }
    }
}
