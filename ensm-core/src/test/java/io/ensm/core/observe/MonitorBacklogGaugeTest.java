package io.ensm.core.observe;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.core.endpoint.monitor.ConnectionMonitor;
import io.ensm.core.endpoint.monitor.EventStream;
import io.ensm.core.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor's backlog gauge shows the most events that waited for one watcher, the slowest, and keeps it. */
class MonitorBacklogGaugeTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConnectionMonitor monitor = new ConnectionMonitor(List::of);

    private double gauge() {
        return registry.get("ensm.monitor.backlog.high.water").gauge().value();
    }

    @Test
    void followsTheSlowestWatcherAndKeepsItsHighestBacklog() {
        new EnsmMeters(registry, new MutableClock(Instant.EPOCH)).monitorBacklog(monitor::backlogHighWater);
        assertThat(gauge()).isZero();
        List<ConnectionEvent> fast = new ArrayList<>();
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), fast::add);
        Stalled slow = new Stalled();
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), slow);

        for (int i = 0; i < 7; i++) {
            monitor.updated(Connection.newBuilder().setId("c" + i).build());
        }
        assertThat(fast).hasSize(8);
        assertThat(gauge()).as("the stalled watcher's 7 events").isEqualTo(7);

        slow.resume();
        monitor.updated(Connection.newBuilder().setId("c7").build());
        assertThat(slow.sent).isEqualTo(1 + 8);
        assertThat(gauge()).as("a high-water mark, not the backlog now").isEqualTo(7);
    }

    /** A watcher that takes its initial state, then nothing until resumed. */
    private static final class Stalled implements EventStream {
        private boolean stalled = true;
        private Runnable onReady = () -> {};
        int sent;

        void resume() {
            stalled = false;
            onReady.run();
        }

        @Override
        public boolean isReady() {
            return !stalled || sent == 0;
        }

        @Override
        public void send(ConnectionEvent event) {
            sent++;
        }

        @Override
        public void onReady(Runnable ready) {
            onReady = ready;
        }

        @Override
        public void fellBehind(int behind, int limit) {
        }
    }
}
