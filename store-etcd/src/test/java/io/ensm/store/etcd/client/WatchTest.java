package io.ensm.store.etcd.client;

import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import static io.ensm.store.etcd.client.LeaseKeeperTest.await;
import static io.ensm.store.etcd.client.LeaseKeeperTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/** Watches on a prefix against the real cluster, through member failures. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class WatchTest {
    private final EtcdCluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String prefix;

    WatchTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    static final class Recorder implements Watch.Listener {
        final List<WatchEvent> events = new CopyOnWriteArrayList<>();
        final List<Long> batchRevisions = new CopyOnWriteArrayList<>();
        final AtomicLong compacted = new AtomicLong();

        @Override
        public void events(List<WatchEvent> batch, long revision) {
            events.addAll(batch);
            batchRevisions.add(revision);
        }

        @Override
        public void compacted(long compactRevision) {
            compacted.set(compactRevision);
        }

        List<String> keys() {
            return events.stream().map(e -> e.entry().key()).toList();
        }
    }

    @BeforeEach
    void setUp(TestInfo test) {
        prefix = "/test/watch/" + test.getTestMethod().orElseThrow().getName() + "/" + System.nanoTime() + "/";
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        cluster.heal();
    }

    private EtcdClient open(EtcdSettings settings) {
        EtcdClient c = EtcdClient.connect(settings);
        closeables.add(c);
        return c;
    }

    private Watch watch(EtcdClient client, long from, Recorder recorder) {
        Watch w = client.watch(prefix, from, recorder);
        closeables.add(w);
        return w;
    }

    @Test
    void deliversPutsAndDeletesUnderThePrefixInOrderFromAPastRevision() {
        EtcdClient client = open(EtcdSettings.of(cluster.endpoints()));
        long first = client.put(prefix + "a", bytes("1"));
        client.put(prefix + "b", bytes("2"));
        client.put(prefix.substring(0, prefix.length() - 1) + "-outside", bytes("x"));
        client.delete(prefix + "a");

        Recorder recorder = new Recorder();
        watch(client, first, recorder);
        await("three past events", Duration.ofSeconds(5), () -> recorder.events.size() >= 3);
        client.put(prefix + "c", bytes("3"));
        await("the live event", Duration.ofSeconds(5), () -> recorder.events.size() >= 4);

        assertThat(recorder.events).extracting(WatchEvent::type).containsExactly(
                WatchEvent.Type.PUT, WatchEvent.Type.PUT, WatchEvent.Type.DELETE, WatchEvent.Type.PUT);
        assertThat(recorder.keys()).containsExactly(prefix + "a", prefix + "b", prefix + "a", prefix + "c");
        assertThat(recorder.events.get(1).entry().valueUtf8()).isEqualTo("2");
        assertThat(recorder.events.getFirst().revision()).isEqualTo(first);
        assertThat(recorder.compacted.get()).isZero();
    }

    @Test
    void resumesAfterItsMemberIsKilledWithoutLosingOrRepeatingAnEvent() {
        int member = cluster.follower();
        burstThroughAFault(member, 400, 100, cluster::kill, EtcdSettings.DEFAULT_WATCH_PROBE);
    }

    @Test
    void resumesAfterItsMemberHangsWithItsConnectionOpen() {
        int member = cluster.follower();
        burstThroughAFault(member, 200, 50, cluster::pause, Duration.ofMillis(300));
    }

    /** A watch on {@code member} from now, {@code count} puts by a writer on another member, {@code fault} to the watch's member after {@code after} events. */
    private void burstThroughAFault(int member, int count, int after, IntConsumer fault, Duration probe) {
        EtcdClient watching = open(EtcdSettings.of(cluster.endpointsStartingWith(member)).withWatchProbe(probe));
        int other = member % EtcdCluster.MEMBERS + 1;
        EtcdClient writer = open(EtcdSettings.of(cluster.endpointsStartingWith(other)));
        Recorder recorder = new Recorder();
        Watch watch = watch(watching, 0, recorder);
        await("the watch to start", Duration.ofSeconds(5), () -> watch.nextRevision() > 0);
        assertThat(watch.streamMember()).isEqualTo(cluster.endpoint(member).toString());

        Thread puts = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < count; i++) {
                writer.put(prefix + String.format("k%04d", i), bytes("v" + i));
            }
        });
        await(after + " events", Duration.ofSeconds(10), () -> recorder.events.size() >= after);
        fault.accept(member);
        await("every event", Duration.ofSeconds(15), () -> recorder.events.size() >= count);
        join(puts);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(prefix + String.format("k%04d", i));
        }
        assertThat(recorder.keys()).as("every put once, in order").containsExactlyElementsOf(expected);
        List<Long> revisions = recorder.events.stream().map(WatchEvent::revision).toList();
        assertThat(revisions).isSorted().doesNotHaveDuplicates();
        assertThat(watch.starts()).as("streams opened").isGreaterThanOrEqualTo(2);
        assertThat(watch.streamMember()).isNotEqualTo(cluster.endpoint(member).toString());
    }

    @Test
    void reportsCompactionWhenItsRevisionIsGoneAndStops() {
        EtcdClient client = open(EtcdSettings.of(cluster.endpoints()));
        long first = client.put(prefix + "a", bytes("1"));
        client.put(prefix + "a", bytes("2"));
        long last = client.put(prefix + "a", bytes("3"));
        client.compact(last);

        Recorder recorder = new Recorder();
        Watch watch = watch(client, first, recorder);
        await("the compaction report", Duration.ofSeconds(5), () -> recorder.compacted.get() != 0);
        assertThat(recorder.compacted.get()).isEqualTo(last);
        assertThat(recorder.events).isEmpty();
        await("the watch to stop", Duration.ofSeconds(2), watch::stopped);
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
