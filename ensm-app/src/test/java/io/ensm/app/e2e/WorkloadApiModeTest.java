package io.ensm.app.e2e;

import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.testing.FakeWorkloadApi;
import io.ensm.core.testing.TestCa;
import io.ensm.ctl.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ensm and ensmctl with identities from a SPIFFE Workload API (an agent double on a unix socket,
 * talking the real protocol to java-spiffe's client); a rotation pushed by the agent is used
 * without a restart.
 */
class WorkloadApiModeTest {
    private static final TestCa CA = TestCa.create("example.org");

    @TempDir
    Path dir;

    @Test
    void ensmAndEnsmctlTakeTheirSvidsFromTheAgentAndFollowItsRotation() throws Exception {
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"))) {
            TestCa.Svid first = CA.issue("ns/ensm", Duration.ofMinutes(10));
            agent.publish(first);
            Map<String, String> settings = InProcessEnsm.settings(dir.resolve("data"));
            settings.put("ensm.services[0].name", "blue");
            settings.put("ensm.services[0].cidrs[0]", "172.30.0.0/24");
            settings.put("ensm.tls.mode", "spiffe-workload-api");
            settings.put("ensm.tls.workload-api.socket", agent.address());
            try (ConfigurableApplicationContext context = InProcessEnsm.run(settings)) {
                EnsmRuntime runtime = context.getBean(EnsmRuntime.class);
                assertThat(runtime.svid()).get().extracting(s -> s.serial()).isEqualTo(first.leaf().getSerialNumber());

                Cli.Result ns = Cli.against(settings.get("ensm.listen"), "ensmctl-test").run("--spiffe-socket", agent.address(), "ns", "list");
                assertThat(ns.exitCode()).as(ns.err()).isZero();
                assertThat(ns.out()).contains("blue");

                TestCa.Svid second = CA.issue("ns/ensm", Duration.ofMinutes(20));
                agent.publish(second);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!runtime.svid().orElseThrow().serial().equals(second.leaf().getSerialNumber()) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(runtime.svid()).get().extracting(s -> s.serial()).isEqualTo(second.leaf().getSerialNumber());
            }
        }
    }
}
