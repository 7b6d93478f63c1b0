package io.ensm.core.state;

import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionTableTest {
    private static final Instant LATER = Instant.parse("2030-01-01T00:00:00Z");

    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final ConnectionTable table = new ConnectionTable(store);

    @Test
    void aWriteThatLandsAfterItsEndpointWasLetGoGoesToTheStoreButNotBackIntoMemory() {
        table.loadEndpoint(Fixtures.ENDPOINT);
        table.put(Fixtures.stored("held", Phase.APPLIED, LATER));
        table.forgetEndpoint(Fixtures.ENDPOINT);

        // A Request under way when the endpoint was given up stores its result (its fence still held
        // in the store a moment longer): the record is the new holder's to serve, not this replica's.
        StoredConnection late = Fixtures.stored("late", Phase.APPLIED, LATER);
        table.put(late);
        table.refresh(Fixtures.stored("held", Phase.APPLIED, LATER.plusSeconds(60)));

        assertThat(table.get("late")).isEmpty();
        assertThat(table.get("held")).isEmpty();
        assertThat(table.all()).isEmpty();
        assertThat(store.get("late")).isPresent();

        table.loadEndpoint(Fixtures.ENDPOINT);
        assertThat(table.get("late")).as("taken back later, the endpoint's records are all served again").isPresent();
        assertThat(table.get("held")).isPresent();
    }

    @Test
    void theOnlyReplicaKeepsEveryWriteInMemory() {
        table.put(Fixtures.stored("c1", Phase.APPLIED, LATER));
        assertThat(table.get("c1")).isPresent();
    }
}
