package io.ensm.netconf.transaction;

import io.ensm.netconf.backend.PortFence;
import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.Rpcs.Datastore;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.driver.ietf.IetfDriver;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The device-side fence and the stale lock holder's session, against a real netconfd: the token
 * lives in the description of the parent port (eth2), read right after the lock.
 */
@UsesNetconfTestbed(devices = 2)
class FenceTest {
    private static final int DEVICE = 2;
    private static final String PORT = "eth2";
    private static final String OPERATOR_TEXT = "operator: port 2";

    private final NetconfTestbed bed;
    private final SshConnector connector = new SshConnector();
    private final SessionPool pool;
    private final List<Step> steps = Collections.synchronizedList(new ArrayList<>());
    private final List<TestSubInterface> created = Collections.synchronizedList(new ArrayList<>());
    private final PortFence fence = new PortFence(new IetfDriver(), PORT, "fence-test");

    FenceTest(NetconfTestbed bed) {
        this.bed = bed;
        this.pool = new SessionPool(bed.config(DEVICE), connector::connect);
    }

    @AfterEach
    void restore() throws Exception {
        try {
            if (!created.isEmpty()) {
                List<TestSubInterface> all = List.copyOf(created);
                pool.withSession(s -> new TransactionRunner().run(s, all, TestSubInterfaceCodec.removing()));
            }
            String port = new IetfDriver().renderPortDescription(PORT, OPERATOR_TEXT);
            pool.withSession(s -> new TransactionRunner().run(s, List.of(port), RawEdits.onPort(PORT)));
        } finally {
            pool.close();
            connector.close();
        }
    }

    private TestSubInterface sub(int vlan) {
        TestSubInterface s = new TestSubInterface(PORT, vlan, "172.17." + (vlan % 250) + ".1", 31, "conn-" + vlan);
        created.add(s);
        return s;
    }

    private TransactionRunner recording(TransactionOptions options) {
        return new TransactionRunner(options, (s, step) -> steps.add(step));
    }

    private List<ItemResult<TestSubInterface>> put(TransactionRunner runner, List<TestSubInterface> items, Fencing fencing,
                                                   StaleLocks stale) throws NetconfException {
        return pool.withSession(s -> runner.run(s, items, TestSubInterfaceCodec.putting(), fencing, stale));
    }

    private String description() {
        Matcher m = Pattern.compile("<name>" + PORT + "</name>\\s*<description>([^<]*)</description>")
                .matcher(bed.independentInterfaces(DEVICE));
        return m.find() ? m.group(1) : "";
    }

    private boolean onDevice(TestSubInterface s) {
        return bed.independentInterfaces(DEVICE).contains("<name>" + s.name() + "</name>");
    }

    @Test
    void aWriteUnderAnOlderTokenIsRefusedAfterANewerTokenWasWritten() throws Exception {
        TestSubInterface first = sub(401);
        assertThat(put(new TransactionRunner(), List.of(first), new Fencing(fence, 7), null)).allMatch(ItemResult::ok);
        assertThat(description()).as("the operator's text kept, the token after it").isEqualTo(OPERATOR_TEXT + " ensm-fence@fence-test:7");

        TestSubInterface late = sub(402);
        assertThatThrownBy(() -> put(new TransactionRunner(), List.of(late), new Fencing(fence, 5), null))
                .isInstanceOfSatisfying(NetconfException.Fenced.class, e -> {
                    assertThat(e.found()).isEqualTo(7);
                    assertThat(e.own()).isEqualTo(5);
                    assertThat(e.kind()).isEqualTo(io.ensm.core.spi.BackendException.Kind.FENCED);
                    assertThat(e.getMessage()).isEqualTo("device device-2: fence read: the description of port eth2 holds fence"
                            + " token 7, newer than this replica's 5: another replica has taken the endpoint over; nothing was written");
                });
        assertThat(onDevice(late)).as("nothing of the late write on the device").isFalse();
        assertThat(description()).isEqualTo(OPERATOR_TEXT + " ensm-fence@fence-test:7");
        String candidate = pool.withSession(s -> s.rpc(Rpcs.getConfig(Datastore.CANDIDATE,
                "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"><interface><name>eth2.402</name></interface></interfaces>")).dataXml());
        assertThat(candidate).as("nor in the candidate").doesNotContain("eth2.402");

        TestSubInterface next = sub(403);
        assertThat(put(new TransactionRunner(), List.of(next), new Fencing(fence, 9), null)).allMatch(ItemResult::ok);
        assertThat(onDevice(next)).isTrue();
        assertThat(description()).isEqualTo(OPERATOR_TEXT + " ensm-fence@fence-test:9");
    }

    @Test
    void aTakeOverWritesOnlyTheTokenAndATransactionUnderTheHeldTokenWritesNothingMore() throws Exception {
        List<ItemResult<TestSubInterface>> none = pool.withSession(s -> recording(TransactionOptions.DEFAULTS).run(s,
                List.<TestSubInterface>of(), TestSubInterfaceCodec.putting(), new Fencing(fence, 11), null));
        assertThat(none).isEmpty();
        assertThat(steps).containsExactly(Step.LOCK, Step.FENCE_READ, Step.FENCE_WRITE, Step.COMMIT, Step.UNLOCK);
        assertThat(description()).isEqualTo(OPERATOR_TEXT + " ensm-fence@fence-test:11");

        steps.clear();
        assertThat(put(recording(TransactionOptions.DEFAULTS), List.of(sub(404)), new Fencing(fence, 11), null)).allMatch(ItemResult::ok);
        assertThat(steps).as("the read goes with the lock; no write of the token")
                .containsExactly(Step.LOCK, Step.FENCE_READ, Step.EDIT, Step.COMMIT, Step.READ_BACK, Step.CONFIRM, Step.UNLOCK);
    }

    @Test
    void aLockKeptByAnIdleSessionOfEnsmsOwnUserIsEndedAndTheTransactionGoesOn() throws Exception {
        try (NetconfSession stale = connector.connect(spec())) {
            assertThat(stale.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            StaleLocks rule = new StaleLocks(bed.config(DEVICE).username(), id -> false);
            TestSubInterface s = sub(405);
            List<ItemResult<TestSubInterface>> r = put(recording(fewAttempts()), List.of(s), new Fencing(fence, 13), rule);
            assertThat(r).allMatch(ItemResult::ok);
            assertThat(steps).contains(Step.SESSIONS, Step.KILL_SESSION);
            assertThat(onDevice(s)).isTrue();
            boolean gone;
            try {
                gone = !stale.rpc(Rpcs.ping()).ok();
            } catch (NetconfException.Unreachable ended) {
                gone = true;
            }
            assertThat(gone).as("the device ended the stale session").isTrue();
        }
    }

    @Test
    void aLockOfAnOperatorsSessionIsNeverEndedAndTheRefusalSaysWhy() throws Exception {
        String operatorUser = bed.device(DEVICE).operatorUsername();
        try (NetconfSession operator = connector.connect(spec(operatorUser))) {
            assertThat(operator.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            StaleLocks rule = new StaleLocks(bed.config(DEVICE).username(), id -> false);
            assertThatThrownBy(() -> put(recording(fewAttempts()), List.of(sub(406)), new Fencing(fence, 13), rule))
                    .isInstanceOfSatisfying(NetconfException.Busy.class, e -> assertThat(e.getMessage()).contains(
                            "locked by NETCONF session " + operator.sessionId() + "; gave up after 3 attempts",
                            "session " + operator.sessionId() + " was not ended: it is a session of user '" + operatorUser
                                    + "', not of ensm's own user '" + bed.config(DEVICE).username() + "',"
                                    + " and an operator's session is never ended"));
            assertThat(steps).contains(Step.SESSIONS).doesNotContain(Step.KILL_SESSION);
            assertThat(operator.rpc(Rpcs.unlock(Datastore.CANDIDATE)).ok()).as("its session and lock live on").isTrue();
        }
    }

    @Test
    void aLockOfASessionOfThisProcessIsNeverEnded() throws Exception {
        try (NetconfSession own = connector.connect(spec())) {
            assertThat(own.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            StaleLocks rule = new StaleLocks(bed.config(DEVICE).username(), id -> id == own.sessionId());
            assertThatThrownBy(() -> put(recording(fewAttempts()), List.of(sub(407)), new Fencing(fence, 13), rule))
                    .isInstanceOfSatisfying(NetconfException.Busy.class, e -> assertThat(e.getMessage())
                            .contains("session " + own.sessionId() + " was not ended: it is a session of this ensm"));
            assertThat(steps).doesNotContain(Step.KILL_SESSION);
            assertThat(own.rpc(Rpcs.unlock(Datastore.CANDIDATE)).ok()).isTrue();
        }
    }

    @Test
    void withoutAFenceNothingIsReadOrEndedAndALockHolderOnlyMakesTheTransactionBusy() throws Exception {
        try (NetconfSession holder = connector.connect(spec())) {
            assertThat(holder.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            assertThatThrownBy(() -> put(recording(fewAttempts()), List.of(sub(408)), null, null))
                    .isInstanceOf(NetconfException.Busy.class);
            assertThat(steps).containsOnly(Step.LOCK);
            assertThat(holder.rpc(Rpcs.unlock(Datastore.CANDIDATE)).ok()).isTrue();
        }
        steps.clear();
        assertThat(put(recording(TransactionOptions.DEFAULTS), List.of(sub(409)), null, null)).allMatch(ItemResult::ok);
        assertThat(steps).containsExactly(Step.LOCK, Step.EDIT, Step.COMMIT, Step.READ_BACK, Step.CONFIRM, Step.UNLOCK);
        assertThat(description()).isEqualTo(OPERATOR_TEXT);
    }

    private static TransactionOptions fewAttempts() {
        return TransactionOptions.DEFAULTS.withLockRetry(3, Duration.ofMillis(100), Duration.ofMillis(400));
    }


    private ConnectSpec spec() throws Exception {
        return spec(bed.config(DEVICE).username());
    }

    /** A session of {@code user}, with the test bed's one password. */
    private ConnectSpec spec(String user) throws Exception {
        var c = bed.config(DEVICE);
        return new ConnectSpec(c.name(), c.host(), c.port(), user, c.password().read(), c.hostKey(), c.timeouts());
    }
}
