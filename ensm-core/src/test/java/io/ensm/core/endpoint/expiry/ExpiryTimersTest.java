package io.ensm.core.endpoint.expiry;

import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoreException;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpiryTimersTest {

    @Test
    void timerFiresTheExpiryAction() throws Exception {
        try (ExpiryTimers timers = new ExpiryTimers(Clock.systemUTC())) {
            CountDownLatch fired = new CountDownLatch(1);
            List<String> ids = new CopyOnWriteArrayList<>();
            timers.onExpiry(id -> {
                ids.add(id);
                fired.countDown();
            });
            timers.arm("own-1", Clock.systemUTC().instant().plusMillis(50));
            assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ids).containsExactly("own-1");
        }
    }

    @Test
    void reArmingReplacesTheEarlierTimer() throws Exception {
        try (ExpiryTimers timers = new ExpiryTimers(Clock.systemUTC())) {
            CountDownLatch fired = new CountDownLatch(1);
            List<String> ids = new CopyOnWriteArrayList<>();
            timers.onExpiry(id -> {
                ids.add(id);
                fired.countDown();
            });
            timers.arm("own-1", Clock.systemUTC().instant().plusSeconds(3600));
            timers.arm("own-1", Clock.systemUTC().instant().plusMillis(30));
            assertThat(timers.armed()).isEqualTo(1);
            assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100);
            assertThat(ids).containsExactly("own-1");
        }
    }

    @Test
    void disarmedTimerNeverFires() throws Exception {
        try (ExpiryTimers timers = new ExpiryTimers(Clock.systemUTC())) {
            CountDownLatch fired = new CountDownLatch(1);
            timers.onExpiry(id -> fired.countDown());
            timers.arm("own-1", Clock.systemUTC().instant().plusMillis(200));
            timers.disarm("own-1");
            assertThat(timers.armed()).isZero();
            assertThat(fired.await(500, TimeUnit.MILLISECONDS)).isFalse();
        }
    }

    @Test
    void failingActionDoesNotStopOtherTimers() throws Exception {
        try (ExpiryTimers timers = new ExpiryTimers(Clock.systemUTC())) {
            CountDownLatch second = new CountDownLatch(1);
            timers.onExpiry(id -> {
                if (id.equals("bad")) {
                    throw new IllegalStateException("close failed");
                }
                second.countDown();
            });
            timers.arm("bad", Clock.systemUTC().instant().plusMillis(10));
            timers.arm("good", Clock.systemUTC().instant().plusMillis(60));
            assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void armingWithAFixedClockCountsTheTimer() {
        try (ExpiryTimers timers = new ExpiryTimers(new MutableClock())) {
            timers.arm("a", MutableClock.START.plus(Duration.ofMinutes(5)));
            timers.arm("b", MutableClock.START.plus(Duration.ofMinutes(5)));
            assertThat(timers.armed()).isEqualTo(2);
        }
    }

    @Test
    void timersFollowingATableDisarmWhenItForgetsAConnectionAndNotWhenTheStoreRefuses() {
        InMemoryConnectionStore store = InMemoryConnectionStore.with(
                Fixtures.stored("a", Phase.APPLIED, MutableClock.START.plusSeconds(300)),
                Fixtures.stored("b", Phase.APPLIED, MutableClock.START.plusSeconds(300)));
        ConnectionTable table = new ConnectionTable(store);
        table.load();
        try (ExpiryTimers timers = ExpiryTimers.following(table, new MutableClock())) {
            timers.arm("a", MutableClock.START.plusSeconds(300));
            timers.arm("b", MutableClock.START.plusSeconds(300));
            table.remove("a");
            assertThat(timers.armed()).isEqualTo(1);

            store.failNextWrites(1, "disk full");
            assertThatThrownBy(() -> table.remove("b")).isInstanceOf(StoreException.class);
            assertThat(timers.armed()).as("still stored, still armed").isEqualTo(1);
        }
    }
}
