package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.PathSegment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.ensm.core.endpoint.monitor.ScopeFilterTest.connection;
import static org.assertj.core.api.Assertions.assertThat;

class InitialTransferTest {
    private static Connection withToken(String id, int tokenChars) {
        return connection("svc", PathSegment.newBuilder().setName("ensm").setId(id).setToken("t".repeat(tokenChars)).build());
    }

    private static List<ConnectionEvent> all(InitialTransfer transfer) {
        List<ConnectionEvent> events = new ArrayList<>();
        transfer.forEachRemaining(events::add);
        return events;
    }

    @Test
    void emptyStateIsOneEmptyTransfer() {
        List<ConnectionEvent> events = all(new InitialTransfer(List.of(), 1000));
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
        assertThat(events.getFirst().getConnectionsMap()).isEmpty();
    }

    @Test
    void eachEventStaysWithinTheBoundAndEveryConnectionComesOnce() {
        List<Connection> connections = IntStream.range(0, 100).mapToObj(i -> withToken("c" + i, 50 + i)).toList();
        int bound = 1000;

        List<ConnectionEvent> events = all(new InitialTransfer(connections, bound));

        assertThat(events).hasSizeGreaterThan(5).allSatisfy(e -> {
            assertThat(e.getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
            assertThat(e.getSerializedSize()).isLessThanOrEqualTo(bound);
        });
        assertThat(events.stream().flatMap(e -> e.getConnectionsMap().keySet().stream()))
                .containsExactlyInAnyOrderElementsOf(connections.stream().map(Connection::getId).toList());
    }

    @Test
    void entrySizeIsExactlyWhatTheConnectionAddsToTheEvent() {
        Connection c = withToken("c1", 300);
        assertThat(InitialTransfer.entrySize(c)).isEqualTo(ConnectionEvent.newBuilder().putConnections("c1", c).build().getSerializedSize());
    }

    @Test
    void aConnectionOverTheBoundGoesAloneRatherThanNotAtAll() {
        List<Connection> connections = List.of(withToken("small-1", 10), withToken("huge", 5000), withToken("small-2", 10));

        List<ConnectionEvent> events = all(new InitialTransfer(connections, 1000));

        assertThat(events).extracting(e -> e.getConnectionsMap().keySet())
                .containsExactly(java.util.Set.of("small-1"), java.util.Set.of("huge"), java.util.Set.of("small-2"));
    }
}
