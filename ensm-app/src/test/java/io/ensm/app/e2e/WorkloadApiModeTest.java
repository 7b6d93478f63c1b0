package io.ensm.app.e2e;

import io.ensm.app.EnsmApplication;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.testing.FakeWorkloadApi;
import io.ensm.core.testing.TestCa;
import io.ensm.ctl.ChannelFactory;
import io.ensm.ctl.Ensmctl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

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
            int port = EnsmProcess.freePort();
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(EnsmApplication.class).logStartupInfo(false).run(
                    "--server.port=0", "--ensm.listen=127.0.0.1:" + port, "--ensm.data-dir=" + dir.resolve("data"),
                    "--ensm.services[0].name=blue", "--ensm.services[0].cidrs[0]=172.30.0.0/24",
                    "--ensm.tls.mode=spiffe-workload-api", "--ensm.tls.workload-api.socket=" + agent.address())) {
                EnsmRuntime runtime = context.getBean(EnsmRuntime.class);
                assertThat(runtime.svid()).get().extracting(s -> s.serial()).isEqualTo(first.leaf().getSerialNumber());

                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine ctl = Ensmctl.commandLine(new Ensmctl(new ChannelFactory(), Clock.systemUTC(), "ensmctl-test"));
                ctl.setOut(new PrintWriter(out, true));
                ctl.setErr(new PrintWriter(err, true));
                assertThat(ctl.execute("--address", "127.0.0.1:" + port, "--spiffe-socket", agent.address(), "ns", "list"))
                        .as(err.toString()).isZero();
                assertThat(out.toString()).contains("blue");

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
