package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorScopeSelector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.ensm.core.endpoint.monitor.ScopeFilterTest.connection;
import static io.ensm.core.endpoint.monitor.ScopeFilterTest.seg;
import static org.assertj.core.api.Assertions.assertThat;

class ConnectionMonitorTest {
    private final Connection mine = connection("svc", seg("nsc", "n1"), seg("ensm", "e1"));
    private final Connection other = connection("svc", seg("nsc", "n2"), seg("ensm", "e2"));
    private final List<Connection> live = new CopyOnWriteArrayList<>(List.of(mine, other));
    private final ConnectionMonitor monitor = new ConnectionMonitor(() -> live);

    private static MonitorScopeSelector scope(String nscId) {
        return MonitorScopeSelector.newBuilder().addPathSegments(seg("nsc", nscId)).build();
    }

    @Test
    void initialStateTransferComesFirstWithOnlyInScopeConnections() {
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        monitor.subscribe(scope("n1"), events::add);
        monitor.updated(mine);
        assertThat(events).hasSize(2);
        assertThat(events.getFirst().getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
        assertThat(events.getFirst().getConnectionsMap()).containsOnlyKeys("e1");
        assertThat(events.get(1).getType()).isEqualTo(ConnectionEventType.UPDATE);
    }

    @Test
    void eventsOutOfScopeAreNotSent() {
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        monitor.subscribe(scope("n1"), events::add);
        monitor.updated(other);
        monitor.deleted(other);
        assertThat(events).extracting(ConnectionEvent::getType).containsExactly(ConnectionEventType.INITIAL_STATE_TRANSFER);
    }

    @Test
    void updateAndDeleteCarryTheConnection() {
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), events::add);
        monitor.updated(mine);
        monitor.deleted(mine);
        assertThat(events).extracting(ConnectionEvent::getType).containsExactly(
                ConnectionEventType.INITIAL_STATE_TRANSFER, ConnectionEventType.UPDATE, ConnectionEventType.DELETE);
        assertThat(events.get(2).getConnectionsMap()).containsEntry("e1", mine);
    }

    @Test
    void failingSubscriberIsDroppedWithoutAffectingOthers() {
        List<ConnectionEvent> good = new CopyOnWriteArrayList<>();
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), e -> {
            if (e.getType() != ConnectionEventType.INITIAL_STATE_TRANSFER) {
                throw new IllegalStateException("stream broken");
            }
        });
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), good::add);
        assertThat(monitor.subscribers()).isEqualTo(2);

        monitor.updated(mine);
        monitor.updated(other);

        assertThat(monitor.subscribers()).isEqualTo(1);
        assertThat(good).extracting(ConnectionEvent::getType).containsExactly(ConnectionEventType.INITIAL_STATE_TRANSFER,
                ConnectionEventType.UPDATE, ConnectionEventType.UPDATE);
    }

    @Test
    void unsubscribeStopsEvents() {
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        Runnable unsubscribe = monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), events::add);
        unsubscribe.run();
        monitor.updated(mine);
        assertThat(events).hasSize(1);
        assertThat(monitor.subscribers()).isZero();
    }

    @Test
    void slowWatcherGetsItsInitialStateWhenReadyAndLiveEventsAfterIt() {
        GatedStream stream = new GatedStream();
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), stream);
        monitor.updated(mine);
        assertThat(stream.sent).as("nothing goes out before the stream is ready").isEmpty();

        stream.allow(1);
        assertThat(stream.sent).extracting(ConnectionEvent::getType).containsExactly(ConnectionEventType.INITIAL_STATE_TRANSFER);
        assertThat(stream.sent.getFirst().getConnectionsMap()).containsOnlyKeys("e1", "e2");

        stream.allow(10);
        monitor.deleted(other);
        assertThat(stream.sent).extracting(ConnectionEvent::getType).containsExactly(
                ConnectionEventType.INITIAL_STATE_TRANSFER, ConnectionEventType.UPDATE, ConnectionEventType.DELETE);
    }

    @Test
    void watcherTooFarBehindIsEndedWithHowFarAndDropped() {
        GatedStream stream = new GatedStream();
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), stream);
        for (int i = 0; i <= ConnectionMonitor.MAX_BACKLOG; i++) {
            monitor.updated(mine);
        }

        assertThat(stream.behind).isEqualTo(ConnectionMonitor.MAX_BACKLOG + 1);
        assertThat(stream.limit).isEqualTo(ConnectionMonitor.MAX_BACKLOG);
        assertThat(monitor.subscribers()).isZero();
        assertThat(monitor.backlogHighWater()).isEqualTo(ConnectionMonitor.MAX_BACKLOG);
        stream.allow(Integer.MAX_VALUE);
        assertThat(stream.sent).as("nothing is sent to an ended stream").isEmpty();
    }

    /** A stream that takes as many events as the test allows, and says when it takes more, as gRPC's flow control does. */
    private static final class GatedStream implements EventStream {
        final List<ConnectionEvent> sent = new CopyOnWriteArrayList<>();
        private int allowed;
        private Runnable onReady = () -> {};
        int behind = -1;
        int limit = -1;

        void allow(int events) {
            allowed = events;
            onReady.run();
        }

        @Override
        public boolean isReady() {
            return allowed > 0;
        }

        @Override
        public void send(ConnectionEvent event) {
            allowed--;
            sent.add(event);
        }

        @Override
        public void onReady(Runnable ready) {
            onReady = ready;
        }

        @Override
        public void fellBehind(int behind, int limit) {
            this.behind = behind;
            this.limit = limit;
        }
    }
}
