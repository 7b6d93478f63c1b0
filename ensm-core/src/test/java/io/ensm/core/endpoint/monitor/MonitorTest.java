package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.State;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MonitorTest {
    private final ConnectionMonitor monitor = new ConnectionMonitor(List::of);
    private final RecordingTail tail = new RecordingTail();
    private final Endpoint endpoint = new Endpoint(List.of(new Monitor(monitor, new io.ensm.core.endpoint.monitor.ConnectionOwners(new io.ensm.core.state.ConnectionTable(io.ensm.core.testing.InMemoryConnectionStore.with()))), tail));
    private final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    MonitorTest() {
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), events::add);
    }

    @Test
    void updateIsPublishedAfterRequestWithStateUp() {
        var reply = endpoint.request(Requests.request().id("c1").build(), CallContext.client());
        assertThat(reply.getState()).isEqualTo(State.UP);
        assertThat(events).extracting(ConnectionEvent::getType)
                .containsExactly(ConnectionEventType.INITIAL_STATE_TRANSFER, ConnectionEventType.UPDATE);
        assertThat(events.get(1).getConnectionsMap().get("c1").getState()).isEqualTo(State.UP);
    }

    @Test
    void deleteIsPublishedAfterCloseWithStateDown() {
        endpoint.close(Requests.request().id("c1").connection(), CallContext.client());
        assertThat(events).extracting(ConnectionEvent::getType)
                .containsExactly(ConnectionEventType.INITIAL_STATE_TRANSFER, ConnectionEventType.DELETE);
        assertThat(events.get(1).getConnectionsMap().get("c1").getState()).isEqualTo(State.DOWN);
    }

    @Test
    void failedCallsPublishNothing() {
        tail.failing(new IllegalStateException("downstream failed"));
        assertThatThrownBy(() -> endpoint.request(Requests.simple(), CallContext.client()));
        assertThatThrownBy(() -> endpoint.close(Requests.request().connection(), CallContext.client()));
        assertThat(events).hasSize(1);
    }
}
