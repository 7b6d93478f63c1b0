package io.ensm.netconf.transaction;

import io.ensm.netconf.client.Capability;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A real netconfd started with --target=running: no :candidate, so running with rollback-on-error. */
@UsesNetconfTestbed(devices = 1, target = "running")
class RunningTargetTest {
    private final NetconfTestbed bed;
    private final SshConnector connector = new SshConnector();
    private final SessionPool pool;

    RunningTargetTest(NetconfTestbed bed) {
        this.bed = bed;
        this.pool = new SessionPool(bed.config(1), connector::connect);
    }

    @AfterEach
    void close() {
        pool.close();
        connector.close();
    }

    @Test
    void runningIsEditedWithRollbackOnErrorAndABadItemFailsAlone() throws Exception {
        boolean candidate = pool.withSession(s -> s.supports(Capability.CANDIDATE));
        assertThat(candidate).isFalse();
        List<Step> steps = Collections.synchronizedList(new ArrayList<>());
        TransactionRunner runner = new TransactionRunner(TransactionOptions.DEFAULTS, (s, step) -> steps.add(step));
        TestSubInterface good1 = new TestSubInterface("eth1", 501, "10.5.0.1", 31, "r1");
        TestSubInterface bad = new TestSubInterface("eth1", 0, "10.5.0.3", 31, "r0");
        TestSubInterface good2 = new TestSubInterface("eth1", 502, "10.5.0.5", 31, "r2");

        List<ItemResult<TestSubInterface>> r = pool.withSession(s -> runner.run(s, List.of(good1, bad, good2), TestSubInterfaceCodec.putting()));

        assertThat(r.get(0).ok()).isTrue();
        assertThat(r.get(2).ok()).isTrue();
        assertThat(r.get(1).failure()).hasValueSatisfying(e -> assertThat(e.getMessage())
                .startsWith("device device-1: edit-config: value not in range").contains("eth1.0"));
        assertThat(steps).doesNotContain(Step.COMMIT, Step.CONFIRM).startsWith(Step.LOCK, Step.EDIT).endsWith(Step.READ_BACK, Step.UNLOCK);
        var device = TestSubInterfaceCodec.parse(bed.independentInterfaces(1));
        assertThat(device).containsKeys("eth1.501", "eth1.502", "eth1.4000").doesNotContainKey("eth1.0");

        var removed = pool.withSession(s -> runner.run(s, List.of(good1, good2), TestSubInterfaceCodec.removing()));
        assertThat(removed).allMatch(ItemResult::ok);
        assertThat(TestSubInterfaceCodec.parse(bed.independentInterfaces(1))).doesNotContainKeys("eth1.501", "eth1.502");
    }
}
