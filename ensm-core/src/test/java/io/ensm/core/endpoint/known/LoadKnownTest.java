package io.ensm.core.endpoint.known;

import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LoadKnownTest {
    private final StoredConnection stored = Fixtures.stored("own-1", Phase.APPLIED, MutableClock.START.plusSeconds(600));
    private final ConnectionTable table = new ConnectionTable(InMemoryConnectionStore.with(stored));
    private final RecordingTail tail = new RecordingTail();
    private final Endpoint endpoint = new Endpoint(List.of(new LoadKnown(table), tail));

    LoadKnownTest() {
        table.load();
    }

    @Test
    void putsKnownForStoredId() {
        endpoint.request(Requests.request().id("own-1").build(), CallContext.client());
        assertThat(tail.lastContext().find(LoadKnown.KNOWN)).contains(stored);
    }

    @Test
    void newIdHasNoKnown() {
        endpoint.request(Requests.request().id("new-1").build(), CallContext.client());
        assertThat(tail.lastContext().find(LoadKnown.KNOWN)).isEmpty();
    }

    @Test
    void closeOfKnownIdProceedsWithKnown() {
        endpoint.close(Requests.request().id("own-1").connection(), CallContext.client());
        assertThat(tail.closes()).hasSize(1);
        assertThat(tail.lastContext().get(LoadKnown.KNOWN)).isEqualTo(stored);
    }

    @Test
    void closeOfUnknownIdReturnsWithoutCallingNext() {
        endpoint.close(Requests.request().id("unknown").connection(), CallContext.client());
        assertThat(tail.calls()).isZero();
    }
}
