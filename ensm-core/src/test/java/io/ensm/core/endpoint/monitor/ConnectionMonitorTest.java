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
}
