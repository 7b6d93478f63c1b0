package io.ensm.core.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DrainTest {
    private final Drain drain = new Drain();

    @Test
    void workAdmittedBeforeTheCloseIsWaitedForAndNothingIsAdmittedAfter() throws Exception {
        assertThat(drain.enter()).isTrue();
        assertThat(drain.enter()).isTrue();
        drain.exit();

        assertThat(drain.close()).as("in flight when the shutdown began").isEqualTo(1);
        assertThat(drain.enter()).as("admitted after the close").isFalse();
        CompletableFuture<Integer> waited = CompletableFuture.supplyAsync(() -> drain.awaitIdle(Duration.ofSeconds(20)));
        Thread.sleep(200);
        assertThat(waited).as("still waiting while work runs").isNotDone();
        drain.exit();
        assertThat(waited.get(5, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void theWaitEndsAtTheTimeoutAndSaysHowMuchIsLeft() {
        drain.enter();
        drain.close();
        long t0 = System.nanoTime();
        assertThat(drain.awaitIdle(Duration.ofMillis(300))).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
        assertThat(drain.inFlight()).isEqualTo(1);
    }

    @Test
    void nothingInFlightMeansNoWaitEvenWithAZeroTimeout() {
        drain.close();
        assertThat(drain.awaitIdle(Duration.ZERO)).isZero();
    }
}
