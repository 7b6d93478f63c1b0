package io.ensm.openstack;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.MutableClock;
import io.ensm.openstack.keystone.IssuedToken;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.ensm.core.testing.Contexts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keystone refusing, down, silent, and tokens that are revoked or due for renewal: against the real Keystone. */
@RealOpenStack
class KeystoneFaultTest {
    static final String ENDPOINT = "kft-edge";
    static final String WRONG = "wrong-password-7c1d9e";

    static TestBed bed;
    static RawOpenStack raw;
    static Path dir;

    @BeforeAll
    static void setUp(TestBed testBed, @TempDir Path tmp) {
        bed = testBed;
        dir = tmp;
        raw = new RawOpenStack(bed);
    }

    /** A network endpoint whose first Neutron call is a lookup by marker: nothing is created. */
    static OpenStackBackend backend(Map<String, String> overrides, Clock clock) {
        Map<String, String> s = new LinkedHashMap<>(bed.adminSettings(dir.resolve("password")));
        s.putAll(Map.of("network", "kft-unused", "physical-network", "physnet1", "uplink", "eth1", "vlans", "141"));
        s.putAll(overrides);
        return new OpenStackBackendProvider(clock).create(Intents.endpoint(ENDPOINT), OpenStackSettings.parse(s), Contexts.OWNER);
    }

    static ProvisionIntent intent() {
        return Intents.intent(ENDPOINT, "uplink:eth1/vlan:141", 141, "172.16.41.1", "172.16.41.2");
    }

    static long refusedLogins() throws IOException {
        return Files.readAllLines(bed.keystoneLog()).stream()
                .filter(l -> l.contains("POST /v3/auth/tokens") && l.contains("HTTP/1.1 401")).count();
    }

    @Test
    void aWrongPasswordIsDeniedOnceAndThenFailsFastWithoutAskingKeystoneAgain() throws Exception {
        Path wrong = dir.resolve("wrong");
        TestBed.writePassword(wrong, WRONG);
        OpenStackBackend b = backend(Map.of("password-file", wrong.toString(), "auth-retry-after", "10m"), Clock.systemUTC());
        long refusedBefore = refusedLogins();

        assertThatThrownBy(() -> b.verify(intent()))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.DENIED);
                    assertThat(e.getMessage()).contains("refused the password of user admin", "HTTP 401").doesNotContain(WRONG);
                });
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> b.verify(intent()))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.DENIED);
                        assertThat(e.getMessage()).contains("not retried until");
                    });
        }

        assertThat(b.cloud().tokens().logins()).isEqualTo(1);
        // uwsgi writes a request's log line after answering it
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (refusedLogins() - refusedBefore < 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1000);
        assertThat(refusedLogins() - refusedBefore).as("401s in Keystone's log").isEqualTo(1);
        assertThat(b.cloud().calls().total()).as("Neutron requests").isZero();
    }

    @Test
    void aKeystoneThatIsDownIsUnreachable() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        OpenStackBackend b = backend(Map.of("auth-url", "http://127.0.0.1:" + closed + "/v3"), Clock.systemUTC());

        assertThatThrownBy(() -> b.verify(intent()))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
                    assertThat(e.getMessage()).contains("Keystone at http://127.0.0.1:" + closed + "/v3 is unreachable");
                });
    }

    @Test
    void aKeystoneThatNeverAnswersIsUnreachableAfterTheTimeout() throws Exception {
        // the kernel completes the handshake for the backlog; nobody ever reads or answers
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            OpenStackBackend b = backend(Map.of("auth-url", "http://127.0.0.1:" + silent.getLocalPort() + "/v3", "timeout", "1s"),
                    Clock.systemUTC());
            long started = System.nanoTime();

            assertThatThrownBy(() -> b.verify(intent()))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
                        assertThat(e.getMessage()).containsIgnoringCase("timeout");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void aTokenRevokedMidRunIsReplacedAndTheRequestSucceeds() throws Exception {
        OpenStackBackend b = backend(Map.of(), Clock.systemUTC());
        assertThat(b.verify(intent())).isEqualTo(Verification.MISSING);
        IssuedToken first = b.cloud().tokens().token();

        raw.revoke(first.id());
        // Neutron trusts a validated token for a few seconds: wait until it refuses this one
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (raw.statusWithToken(first.id()) != 401) {
            assertThat(System.nanoTime()).as("Neutron still accepts the revoked token").isLessThan(deadline);
            Thread.sleep(500);
        }

        assertThat(b.verify(intent())).isEqualTo(Verification.MISSING);
        assertThat(b.cloud().tokens().logins()).isEqualTo(2);
        assertThat(b.cloud().tokens().token().id()).isNotEqualTo(first.id());
    }

    @Test
    void oneTokenServesConcurrentRequestsFromManyThreads() throws Exception {
        OpenStackBackend b = backend(Map.of(), Clock.systemUTC());
        List<Future<Verification>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                results.add(threads.submit(() -> b.verify(intent())));
            }
        }
        for (Future<Verification> f : results) {
            assertThat(f.get()).isEqualTo(Verification.MISSING);
        }
        assertThat(b.cloud().tokens().logins()).isEqualTo(1);
        assertThat(b.cloud().calls().total()).isEqualTo(6);
    }

    @Test
    void theTokenIsRenewedBeforeItExpires() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.now());
        OpenStackBackend b = backend(Map.of("token-renew-before", "5m"), clock);
        assertThat(b.verify(intent())).isEqualTo(Verification.MISSING);
        IssuedToken first = b.cloud().tokens().token();

        clock.set(first.expires().minus(Duration.ofMinutes(6)));
        b.verify(intent());
        assertThat(b.cloud().tokens().logins()).isEqualTo(1);

        clock.set(first.expires().minus(Duration.ofMinutes(4)));
        assertThat(b.verify(intent())).isEqualTo(Verification.MISSING);
        assertThat(b.cloud().tokens().logins()).isEqualTo(2);
        assertThat(b.cloud().tokens().token().id()).isNotEqualTo(first.id());
    }
}
