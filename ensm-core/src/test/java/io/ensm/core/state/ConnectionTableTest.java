package io.ensm.core.state;

import io.ensm.core.store.Phase;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Await;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    private static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock();
    private final InMemoryConnectionStore slow = new InMemoryConnectionStore();
    private final ConnectionTable timed = new ConnectionTable(slow, clock);

    @AfterEach
    void closeTables() {
        table.close();
        timed.close();
    }

    /** A connection set up now with NSM's lifetime, then refreshed after a third of it, as NSM's refresh client does. */
    private StoredConnection setUpAndAgeAThird(String id) {
        StoredConnection c = Fixtures.stored(id, Phase.APPLIED, clock.instant().plus(LIFETIME));
        timed.put(c);
        clock.advance(LIFETIME.dividedBy(3));
        return c;
    }

    @Test
    void aRefreshWhoseStoredExpiryOutlastsTheCallersNextRefreshIsAnsweredBeforeTheStoreHasIt() throws Exception {
        StoredConnection c = setUpAndAgeAThird("c1");
        Runnable open = slow.holdRefreshes();
        Instant renewed = clock.instant().plus(LIFETIME);

        CompletableFuture.runAsync(() -> timed.refresh(c.refreshed(renewed, new byte[] {1})))
                .get(5, TimeUnit.SECONDS); // a refresh waiting for the store would time out here

        assertThat(slow.awaitHeldRefresh(WAIT)).as("the write is under way on the writer").isTrue();
        assertThat(timed.get("c1").orElseThrow().expires()).as("served from memory at once").isEqualTo(renewed);
        assertThat(slow.get("c1").orElseThrow().expires()).as("not yet in the store").isEqualTo(c.expires());
        assertThat(timed.refreshBacklog()).isOne();
        open.run();
        assertThat(timed.flush(WAIT)).isZero();
        assertThat(slow.get("c1").orElseThrow().expires()).isEqualTo(renewed);
        assertThat(timed.refreshBacklog()).isZero();
    }

    @Test
    void aCrashBeforeTheWriteLeavesAStoredExpiryThatOutlastsTheCallersNextRefresh() throws Exception {
        StoredConnection c = setUpAndAgeAThird("c1");
        Runnable open = slow.holdRefreshes(); // opened only after the check: the process dies with the write queued
        Instant renewed = clock.instant().plus(LIFETIME);
        timed.refresh(c.refreshed(renewed, new byte[] {1}));
        assertThat(slow.awaitHeldRefresh(WAIT)).isTrue();

        // The next start (or the successor) loads what the store holds.
        ConnectionTable restarted = new ConnectionTable(slow, clock);
        StoredConnection loaded = restarted.load().getFirst();
        Instant nextRefreshAtTheLatest = clock.instant().plus(LIFETIME.multipliedBy(4).dividedBy(10));
        assertThat(loaded.expires()).as("stored expiry against the caller's next refresh (0.4 of its lifetime at most)")
                .isAfter(nextRefreshAtTheLatest);
        open.run();
    }

    @Test
    void aRefreshTheStoredExpiryDoesNotCoverWaitsForTheStoreAndFailsWithIt() {
        StoredConnection c = Fixtures.stored("late", Phase.APPLIED, clock.instant().plus(LIFETIME));
        timed.put(c);
        clock.advance(LIFETIME.minusSeconds(30)); // a caller refreshing 30 s before it expires
        slow.failNextWrites(1, "disk full");

        StoredConnection renewed = c.refreshed(clock.instant().plus(LIFETIME), new byte[] {1});
        assertThatThrownBy(() -> timed.refresh(renewed)).isInstanceOf(StoreException.class).hasMessageContaining("disk full");
        assertThat(timed.get("late").orElseThrow().expires()).as("memory unchanged").isEqualTo(c.expires());

        timed.refresh(renewed);
        assertThat(slow.get("late").orElseThrow().expires()).as("in the store when refresh returns").isEqualTo(renewed.expires());
        assertThat(timed.refreshBacklog()).isZero();
    }

    @Test
    void aRefreshWrittenBehindNeverLandsOverANewerRecord() throws Exception {
        StoredConnection c = setUpAndAgeAThird("c1");
        Runnable open = slow.holdRefreshes();
        timed.refresh(c.refreshed(clock.instant().plus(LIFETIME), new byte[] {1}));
        assertThat(slow.awaitHeldRefresh(WAIT)).isTrue();

        StoredConnection releasing = timed.get("c1").orElseThrow().withPhase(Phase.RELEASING);
        CompletableFuture<Void> put = CompletableFuture.runAsync(() -> timed.put(releasing));
        Thread.sleep(200);
        assertThat(put).as("the put waits for the refresh being written").isNotDone();
        open.run();
        put.get(5, TimeUnit.SECONDS);
        assertThat(slow.phaseOf("c1")).isEqualTo(Phase.RELEASING);
        assertThat(slow.writes()).endsWith("refresh c1", "put c1 RELEASING");

        // A refresh still queued (not yet under way) is dropped by a later write of the record.
        StoredConnection d = setUpAndAgeAThird("d1");
        Runnable openAgain = slow.holdRefreshes();
        timed.refresh(d.refreshed(clock.instant().plus(LIFETIME), new byte[] {1}));
        assertThat(slow.awaitHeldRefresh(WAIT)).isTrue();
        timed.refresh(d.refreshed(clock.instant().plus(LIFETIME).plusSeconds(1), new byte[] {2}));
        CompletableFuture<Void> remove = CompletableFuture.runAsync(() -> timed.remove("d1"));
        openAgain.run();
        remove.get(5, TimeUnit.SECONDS);
        assertThat(timed.flush(WAIT)).isZero();
        assertThat(slow.get("d1")).isEmpty();
        assertThat(slow.writes()).endsWith("refresh d1", "delete d1");
    }

    @Test
    void aFailedWriteBehindIsTriedAgainAndShowsInTheWriteFailureMeanwhile() {
        StoredConnection c = setUpAndAgeAThird("c1");
        slow.failNextWrites(2, "etcd unavailable");
        Instant renewed = clock.instant().plus(LIFETIME);

        timed.refresh(c.refreshed(renewed, new byte[] {1}));

        Await.until(WAIT, () -> timed.writeFailure().isPresent(), "the failed write is reported");
        assertThat(timed.writeFailure().orElseThrow()).contains("etcd unavailable");
        assertThat(timed.flush(WAIT)).isZero();
        assertThat(slow.get("c1").orElseThrow().expires()).isEqualTo(renewed);
        assertThat(timed.writeFailure()).isEmpty();
    }

    @Test
    void refreshesQueuedForAnEndpointLetGoAreLeftToItsNewHolder() throws Exception {
        timed.loadEndpoint(Fixtures.ENDPOINT);
        StoredConnection c = Fixtures.stored("c1", Phase.APPLIED, clock.instant().plus(LIFETIME));
        timed.put(c);
        StoredConnection d = setUpAndAgeAThird("d1");
        Runnable open = slow.holdRefreshes();
        timed.refresh(c.refreshed(clock.instant().plus(LIFETIME), new byte[] {1}));
        assertThat(slow.awaitHeldRefresh(WAIT)).isTrue();
        timed.refresh(d.refreshed(clock.instant().plus(LIFETIME), new byte[] {1}));

        timed.forgetEndpoint(Fixtures.ENDPOINT);
        // the write under way meets the new holder's fence: refused, and not tried again
        slow.failNextWrites(1, "this replica no longer holds endpoint");
        open.run();
        assertThat(timed.flush(WAIT)).isZero();
        Thread.sleep(500); // longer than the writer's first retry
        assertThat(slow.writes()).as("neither the refused write nor the queued one").doesNotContain("refresh c1", "refresh d1");
        assertThat(timed.refreshBacklog()).isZero();
        assertThat(timed.writeFailure()).as("a write that is no longer this replica's is no store failure").isEmpty();
    }

    @Test
    void closingWritesWhatIsQueued() {
        StoredConnection c = setUpAndAgeAThird("c1");
        Instant renewed = clock.instant().plus(LIFETIME);
        timed.refresh(c.refreshed(renewed, new byte[] {1}));
        timed.close(WAIT);
        assertThat(slow.get("c1").orElseThrow().expires()).isEqualTo(renewed);
    }

    @Test
    void theOnlyReplicaKeepsEveryWriteInMemory() {
        table.put(Fixtures.stored("c1", Phase.APPLIED, LATER));
        assertThat(table.get("c1")).isPresent();
    }
}
