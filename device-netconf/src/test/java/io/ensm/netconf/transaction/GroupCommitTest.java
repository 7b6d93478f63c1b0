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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Group commit against a real netconfd. */
@UsesNetconfTestbed(devices = 2)
class GroupCommitTest {
    private static final int DEVICE = 2;

    private final NetconfTestbed bed;
    private final SshConnector connector = new SshConnector();
    private final SessionPool pool;
    private final AtomicInteger transactions = new AtomicInteger();

    GroupCommitTest(NetconfTestbed bed) {
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

    private TransactionRunner counting() {
        return new TransactionRunner(TransactionOptions.DEFAULTS, (s, step) -> {
            if (step == Step.LOCK) {
                transactions.incrementAndGet();
            }
        });
    }

    private TestSubInterface track(TestSubInterface s) {
        created.add(s);
        return s;
    }

    private TestSubInterface sub(int vlan) {
        return track(new TestSubInterface("eth0", vlan, "10.9." + (vlan / 250) + "." + (vlan % 250), 31, "g-" + vlan));
    }

    /** Submits every item from its own virtual thread at once, like concurrent Requests. */
    private static List<CompletableFuture<Void>> submitConcurrently(GroupCommitter<TestSubInterface> g, List<TestSubInterface> items)
            throws InterruptedException {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (TestSubInterface item : items) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            futures.add(f);
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    g.apply(item, Duration.ofSeconds(60));
                    f.complete(null);
                } catch (NetconfException e) {
                    f.completeExceptionally(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return futures;
    }

    @Test
    void concurrentItemsShareTransactionsAndOneBadItemFailsAlone() throws Exception {
        List<TestSubInterface> items = new ArrayList<>();
        for (int v = 401; v <= 440; v++) {
            items.add(sub(v));
        }
        TestSubInterface bad = new TestSubInterface("eth0", 5001, "10.9.99.1", 31, "bad");
        items.add(17, bad);
        List<CompletableFuture<Void>> results;
        try (GroupCommitter<TestSubInterface> g = new GroupCommitter<>(pool, counting(), TestSubInterfaceCodec.putting(), 256)) {
            results = submitConcurrently(g, items);
        }
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) == bad) {
                assertThat(results.get(i)).isCompletedExceptionally();
                assertThatThrownBy(results.get(i)::get).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(NetconfException.Rejected.class)
                        .hasMessageContaining("edit-config: value not in range").hasMessageContaining("eth0.5001");
            } else {
                assertThat(results.get(i)).as(items.get(i).name()).isCompleted().isNotCompletedExceptionally();
            }
        }
        assertThat(transactions.get()).as("transactions for %d items", items.size()).isLessThan(items.size() / 2);

        Map<String, Found> device = TestSubInterfaceCodec.parse(bed.independentInterfaces(DEVICE));
        for (TestSubInterface s : items) {
            if (s == bad) {
                assertThat(device).doesNotContainKey(s.name());
            } else {
                assertThat(device.get(s.name())).isEqualTo(new Found("ensm:" + s.marker(), Integer.toString(s.vlan()), s.ipv4()));
            }
        }
        assertThat(device).containsKeys("eth0", "eth1", "eth1.4000");

        items.remove(bad);
        try (GroupCommitter<TestSubInterface> g = new GroupCommitter<>(pool, counting(), TestSubInterfaceCodec.removing(), 256)) {
            assertThat(submitConcurrently(g, items)).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        }
        assertThat(TestSubInterfaceCodec.parse(bed.independentInterfaces(DEVICE)).keySet()).noneMatch(n -> n.startsWith("eth0.4"));
    }

    @Test
    void aBatchSizeOfOneGivesOneTransactionPerItem() throws Exception {
        List<TestSubInterface> items = List.of(sub(451), sub(452), sub(453), sub(454));
        try (GroupCommitter<TestSubInterface> g = new GroupCommitter<>(pool, counting(), TestSubInterfaceCodec.putting(), 1)) {
            assertThat(submitConcurrently(g, items)).allMatch(f -> !f.isCompletedExceptionally());
        }
        assertThat(transactions.get()).isEqualTo(4);
        try (GroupCommitter<TestSubInterface> g = new GroupCommitter<>(pool, counting(), TestSubInterfaceCodec.removing(), 64)) {
            submitConcurrently(g, items);
        }
    }

    @Test
    void aFailureOfTheWholeTransactionFailsEveryItemOfTheBatch() throws Exception {
        var c = bed.config(DEVICE);
        try (NetconfSession holder = connector.connect(new io.ensm.netconf.client.ConnectSpec(c.name(), c.host(), c.port(),
                c.username(), c.password().read(), c.hostKey(), c.timeouts()))) {
            assertThat(holder.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            TransactionRunner quick = new TransactionRunner(
                    TransactionOptions.DEFAULTS.withLockRetry(2, Duration.ofMillis(20), Duration.ofMillis(20)), TransactionListener.NONE);
            try (GroupCommitter<TestSubInterface> g = new GroupCommitter<>(pool, quick, TestSubInterfaceCodec.putting(), 64)) {
                List<CompletableFuture<Void>> r = submitConcurrently(g, List.of(sub(461), sub(462)));
                for (CompletableFuture<Void> f : r) {
                    assertThatThrownBy(f::get).cause().isInstanceOf(NetconfException.Busy.class)
                            .hasMessageContaining("locked by NETCONF session " + holder.sessionId());
                }
            }
            holder.rpc(Rpcs.unlock(Datastore.CANDIDATE));
        }
    }
}
