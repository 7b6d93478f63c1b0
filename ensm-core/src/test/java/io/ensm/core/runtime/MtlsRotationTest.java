package io.ensm.core.runtime;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.registry.Await;
import io.ensm.core.testing.IndependentJwt;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.SecureClient;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SVIDs that live a few seconds, rotated while a client keeps calling: ensm keeps serving, new
 * handshakes and new tokens use the new SVID, and it still serves after the first SVID expired.
 */
class MtlsRotationTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofHours(1));

    @TempDir
    Path dir;

    private static NetworkServiceGrpc.NetworkServiceBlockingStub ns(ManagedChannel c) {
        return NetworkServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static NetworkServiceRequest request() {
        return Requests.request().service(SecureRuntimes.SERVICE).mechanisms(Requests.vlan()).build();
    }

    @Test
    void rotationMidRunKeepsServingAndNewHandshakesUseTheNewSvid() throws Exception {
        TestCa.Svid first = CA.issue("ensm", Duration.ofSeconds(8));
        SecureRuntimes ensm = new SecureRuntimes(first, dir, Duration.ofMillis(100), Set.of());
        SecureClient nsc = new SecureClient(StaticIdentity.of(NSC), ensm.target());
        ManagedChannel before = nsc.withTokens();
        ManagedChannel after = null;
        ManagedChannel afterExpiry = null;
        try {
            Connection reply = ns(before).request(request());
            assertThat(nsc.lastServerSerial()).isEqualTo(first.leaf().getSerialNumber());

            TestCa.Svid second = CA.issue("ensm", Duration.ofMinutes(5));
            second.writeTo(dir);
            Await.until("ensm to load the rotated SVID",
                    () -> ensm.runtime.svid().orElseThrow().serial().equals(second.leaf().getSerialNumber()), Duration.ofSeconds(10));

            // The connection opened before the rotation keeps working; on it ensm still presents the
            // first certificate, so it signs with that key for the caller's check to hold.
            reply = ns(before).request(Requests.refreshOf(request(), reply, Instant.now().plusSeconds(600)));
            assertThat(IndependentJwt.parse(reply.getPath().getPathSegments(1).getToken()).verifiesWith(first.leaf().getPublicKey()))
                    .isTrue();
            // A new connection handshakes with the new certificate, and ensm signs with the new key.
            after = nsc.withTokens();
            Connection fresh = ns(after).request(request());
            assertThat(nsc.lastServerSerial()).isEqualTo(second.leaf().getSerialNumber());
            assertThat(IndependentJwt.parse(fresh.getPath().getPathSegments(1).getToken()).verifiesWith(second.leaf().getPublicKey()))
                    .isTrue();

            // Past the first SVID's expiry, ensm still serves new and old connections.
            Instant firstExpired = first.leaf().getNotAfter().toInstant().plusMillis(500);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), firstExpired).toMillis()));
            afterExpiry = nsc.withTokens();
            ns(afterExpiry).request(request());
            BigInteger seen = nsc.lastServerSerial();
            assertThat(seen).isEqualTo(second.leaf().getSerialNumber());
            ns(after).request(Requests.refreshOf(request(), fresh, Instant.now().plusSeconds(600)));
            assertThat(ensm.runtime.connections().size()).isEqualTo(3);
            assertThat(ensm.refusals).isEmpty();
        } finally {
            SecureClient.close(before);
            if (after != null) {
                SecureClient.close(after);
            }
            if (afterExpiry != null) {
                SecureClient.close(afterExpiry);
            }
            ensm.close();
        }
    }
}
