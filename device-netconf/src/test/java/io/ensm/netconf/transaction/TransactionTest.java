package io.ensm.netconf.transaction;

import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.Rpcs.Datastore;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.testbed.TestSubInterfaceCodec.Found;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Transactions against a real netconfd with :candidate and confirmed commit. */
@UsesNetconfTestbed(devices = 2)
class TransactionTest {
    private static final int DEVICE = 1;

    private final NetconfTestbed bed;
    private final SshConnector connector = new SshConnector();
    private final SessionPool pool;
    private final List<Step> steps = Collections.synchronizedList(new ArrayList<>());

    TransactionTest(NetconfTestbed bed) {
        this.bed = bed;
        this.pool = new SessionPool(bed.config(DEVICE), connector::connect);
    }

    /** Every sub-interface a test may have created; removed after each test, also after a failure. */
    private final List<TestSubInterface> created = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() throws NetconfException {
        try {
            if (!created.isEmpty()) {
                List<TestSubInterface> all = List.copyOf(created);
                pool.withSession(s -> new TransactionRunner().run(s, all, TestSubInterfaceCodec.removing()));
            }
        } finally {
            pool.close();
            connector.close();
        }
    }

    private TestSubInterface track(TestSubInterface s) {
        created.add(s);
        return s;
    }

    private TestSubInterface sub(int vlan) {
        return track(new TestSubInterface("eth2", vlan, "172.16." + (vlan % 250) + ".1", 31, "conn-" + vlan));
    }

    private Map<String, Found> onDevice() {
        return TestSubInterfaceCodec.parse(bed.independentInterfaces(DEVICE));
    }

    private List<ItemResult<TestSubInterface>> put(TransactionRunner runner, List<TestSubInterface> items) throws NetconfException {
        return pool.withSession(s -> runner.run(s, items, TestSubInterfaceCodec.putting()));
    }

    private void remove(List<TestSubInterface> items) throws NetconfException {
        List<ItemResult<TestSubInterface>> r = pool.withSession(s -> new TransactionRunner().run(s, items, TestSubInterfaceCodec.removing()));
        assertThat(r).allMatch(ItemResult::ok);
    }

    private TransactionRunner recording() {
        return new TransactionRunner(TransactionOptions.DEFAULTS, (s, step) -> steps.add(step));
    }

    @Test
    void aBatchIsLockedEditedCommittedWithConfirmationReadBackAndUnlocked() throws Exception {
        List<TestSubInterface> items = List.of(sub(301), sub(302), sub(303));
        List<ItemResult<TestSubInterface>> results = put(recording(), items);

        assertThat(results).extracting(ItemResult::item).containsExactlyElementsOf(items);
        assertThat(results).allMatch(ItemResult::ok);
        assertThat(steps).containsExactly(Step.LOCK, Step.EDIT, Step.COMMIT, Step.READ_BACK, Step.CONFIRM, Step.UNLOCK);
        Map<String, Found> device = onDevice();
        for (TestSubInterface s : items) {
            assertThat(device.get(s.name())).isEqualTo(new Found("ensm:" + s.marker(), Integer.toString(s.vlan()), s.ipv4()));
        }
        assertThat(device.get("eth1.4000")).isEqualTo(new Found("operator: management VLAN", "4000", "192.0.2.1"));

        remove(items);
        assertThat(onDevice()).doesNotContainKeys("eth2.301", "eth2.302", "eth2.303").containsKey("eth1.4000");
    }

    @Test
    void withoutConfirmedCommitOneCommitIsFollowedByTheReadBack() throws Exception {
        TransactionRunner plain = new TransactionRunner(TransactionOptions.DEFAULTS.withConfirmedCommit(false), (s, step) -> steps.add(step));
        List<ItemResult<TestSubInterface>> results = put(plain, List.of(sub(305)));
        assertThat(results).allMatch(ItemResult::ok);
        assertThat(steps).containsExactly(Step.LOCK, Step.EDIT, Step.COMMIT, Step.READ_BACK, Step.UNLOCK);
        assertThat(onDevice()).containsKey("eth2.305");
        remove(List.of(sub(305)));
    }

    @Test
    void aRejectedEditSurfacesTheRpcErrorAndLeavesCandidateAndRunningUnchanged() throws Exception {
        String before = bed.independentInterfaces(DEVICE).replaceAll("last-modified=\"[^\"]*\"", "");
        List<ItemResult<TestSubInterface>> results = put(recording(), List.of(sub(5000)));

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.ok()).isFalse();
            NetconfException e = r.failure().orElseThrow();
            assertThat(e).isInstanceOf(NetconfException.Rejected.class);
            assertThat(e.getMessage()).startsWith("device device-1: edit-config: value not in range (protocol invalid-value, not-in-range, at ")
                    .contains("eth2.5000", "bad-value=5000");
        });
        assertThat(steps).containsExactly(Step.LOCK, Step.EDIT, Step.UNLOCK);
        assertThat(bed.independentInterfaces(DEVICE).replaceAll("last-modified=\"[^\"]*\"", "")).isEqualTo(before);
        String candidate = pool.withSession(s -> s.rpc(Rpcs.getConfig(Datastore.CANDIDATE,
                "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"><interface><name>eth2.5000</name></interface></interfaces>")).dataXml());
        assertThat(candidate).doesNotContain("eth2.5000");
    }

    @Test
    void aSessionKilledBeforeTheConfirmingCommitLeavesRunningUnchanged() throws Exception {
        TestSubInterface item = sub(311);
        long[] killed = new long[1];
        TransactionRunner killer = new TransactionRunner(TransactionOptions.DEFAULTS, (session, step) -> {
            if (step == Step.CONFIRM) {
                // Another NETCONF session kills this one: edit and confirmed commit are done,
                // the confirming commit will never arrive.
                try (NetconfSession other = connector.connect(spec())) {
                    killed[0] = session.sessionId();
                    assertThat(other.rpc(Rpcs.killSession(session.sessionId())).ok()).isTrue();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        });
        assertThatThrownBy(() -> put(killer, List.of(item)))
                .isInstanceOfSatisfying(NetconfException.Unreachable.class,
                        e -> assertThat(e.getMessage()).startsWith("device device-1: confirming commit: "));
        assertThat(killed[0]).isPositive();
        // The device rolls the unconfirmed commit back when the session ends.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Map<String, Found> device = onDevice();
        while (device.containsKey(item.name()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            device = onDevice();
        }
        assertThat(device).doesNotContainKey(item.name()).containsKey("eth1.4000");
    }

    @Test
    void aLockHeldByAnotherSessionIsRetriedThenReportedBusyNamingTheHolder() throws Exception {
        try (NetconfSession holder = connector.connect(spec())) {
            assertThat(holder.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            TransactionRunner runner = new TransactionRunner(
                    TransactionOptions.DEFAULTS.withLockRetry(4, Duration.ofMillis(50), Duration.ofMillis(100)),
                    (s, step) -> steps.add(step));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> put(runner, List.of(sub(321))))
                    .isInstanceOfSatisfying(NetconfException.Busy.class, e -> {
                        assertThat(e.holderSessionId()).contains(holder.sessionId());
                        assertThat(e.getMessage()).contains("device device-1: lock: the candidate datastore is locked by NETCONF session "
                                + holder.sessionId() + "; gave up after 4 attempts");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(5));
            assertThat(steps).containsExactly(Step.LOCK, Step.LOCK, Step.LOCK, Step.LOCK);
            assertThat(holder.rpc(Rpcs.unlock(Datastore.CANDIDATE)).ok()).isTrue();
        }
        assertThat(onDevice()).doesNotContainKey("eth2.321");
    }

    @Test
    void uncommittedChangesLeftWithoutALockAreDiscardedOnceSoTheLockCanBeTaken() throws Exception {
        try (NetconfSession careless = connector.connect(spec())) {
            String junk = "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\">" + sub(331).xml() + "</interfaces>";
            assertThat(careless.rpc(Rpcs.editConfig(Datastore.CANDIDATE, junk, true)).ok()).isTrue();
            List<ItemResult<TestSubInterface>> r = put(recording(), List.of(sub(332)));
            assertThat(r).allMatch(ItemResult::ok);
            assertThat(steps).startsWith(Step.LOCK, Step.DISCARD, Step.LOCK, Step.EDIT);
        }
        Map<String, Found> device = onDevice();
        assertThat(device).containsKey("eth2.332").doesNotContainKey("eth2.331");
        remove(List.of(sub(332)));
    }

    @Test
    void anItemThatDoesNotHoldOnReadBackFailsAloneWhileTheOthersAreConfirmed() throws Exception {
        TestSubInterface odd = sub(342);
        TestSubInterfaceCodec real = TestSubInterfaceCodec.putting();
        EditCodec<TestSubInterface> strict = new EditCodec<>() {
            @Override
            public String render(List<TestSubInterface> items) {
                return real.render(items);
            }

            @Override
            public String readFilter(List<TestSubInterface> items) {
                return real.readFilter(items);
            }

            @Override
            public String label(TestSubInterface item) {
                return real.label(item);
            }

            @Override
            public ReadBack<TestSubInterface> readBack(String dataXml) {
                ReadBack<TestSubInterface> check = real.readBack(dataXml);
                // As if the device had dropped this one item after the commit.
                return item -> item.equals(odd) ? Optional.of("missing") : check.problem(item);
            }
        };
        List<TestSubInterface> items = List.of(sub(341), odd, sub(343));
        List<ItemResult<TestSubInterface>> r = pool.withSession(s -> recording().run(s, items, strict));
        assertThat(r.get(0).ok()).isTrue();
        assertThat(r.get(2).ok()).isTrue();
        assertThat(r.get(1).failure()).hasValueSatisfying(e -> assertThat(e.getMessage())
                .isEqualTo("device device-1: read-back: eth2.342 does not hold on the device after the commit: missing"));
        assertThat(steps).endsWith(Step.READ_BACK, Step.CONFIRM, Step.UNLOCK);
        remove(items);
    }

    private io.ensm.netconf.client.ConnectSpec spec() throws Exception {
        var c = bed.config(DEVICE);
        return new io.ensm.netconf.client.ConnectSpec(c.name(), c.host(), c.port(), c.username(), c.password().read(),
                c.hostKey(), c.timeouts());
    }
}
