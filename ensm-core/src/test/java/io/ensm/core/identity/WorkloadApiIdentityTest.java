package io.ensm.core.identity;

import io.ensm.core.testing.FakeWorkloadApi;
import io.ensm.core.testing.TestCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real java-spiffe Workload API client against an agent double on a unix socket. */
class WorkloadApiIdentityTest {
    private static final TestCa CA = TestCa.create("example.org");

    @TempDir
    Path dir;

    @Test
    void takesTheSvidTheAgentStreamsAndFollowsRotations() throws Exception {
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"))) {
            TestCa.Svid first = CA.issue("ensm", Duration.ofSeconds(30));
            agent.publish(first);
            try (WorkloadApiIdentity identity = WorkloadApiIdentity.connect(agent.address(), Duration.ofSeconds(10))) {
                assertThat(identity.current().spiffeId()).isEqualTo(CA.id("ensm"));
                assertThat(identity.current().serial()).isEqualTo(first.leaf().getSerialNumber());
                assertThat(identity.getBundleForTrustDomain(io.spiffe.spiffeid.TrustDomain.parse("example.org"))
                        .getX509Authorities()).contains(CA.certificate());
                List<SvidInfo> rotations = new CopyOnWriteArrayList<>();
                identity.onRotation(rotations::add);

                TestCa.Svid second = CA.issue("ensm", Duration.ofSeconds(30));
                agent.publish(second);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (rotations.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(rotations).singleElement().extracting(SvidInfo::serial).isEqualTo(second.leaf().getSerialNumber());
                assertThat(identity.current().serial()).isEqualTo(second.leaf().getSerialNumber());
            }
        }
    }

    @Test
    void anAgentThatSendsNothingFailsAfterTheTimeoutWithAHint() {
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"))) {
            assertThatThrownBy(() -> WorkloadApiIdentity.connect(agent.address(), Duration.ofMillis(500)))
                    .isInstanceOf(IdentityException.class)
                    .hasMessageContaining(agent.address()).hasMessageContaining("SPIRE agent");
        }
    }

    @Test
    void malformedAddressIsRefusedNamingIt() {
        assertThatThrownBy(() -> WorkloadApiIdentity.connect("http://agent:1", Duration.ofSeconds(1)))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("http://agent:1").hasMessageContaining("unix://");
    }
}
