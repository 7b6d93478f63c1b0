package io.ensm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void startsAt200msDoublesAndCapsAtFiveSeconds() {
        Backoff b = Backoff.DEFAULT;
        assertThat(b.delay(1, () -> 0.5)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(2, () -> 0.5)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(5, () -> 0.5)).isEqualTo(Duration.ofMillis(3200));
        assertThat(b.delay(6, () -> 0.5)).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.delay(1000, () -> 0.5)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void jitterSpreadsDelaysByTwentyPercent() {
        assertThat(Backoff.DEFAULT.delay(1, () -> 0.0)).isEqualTo(Duration.ofMillis(160));
        assertThat(Backoff.DEFAULT.delay(1, () -> 0.999999)).isEqualTo(Duration.ofMillis(240));
    }
}
