package io.ensm.core.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @Test
    void oneNumberWithOneUnitOrIso8601AsSpringReadsThem() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse(" 15s ")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("pt2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("0s")).isZero();
    }

    @Test
    void aBareNumberIsRefusedBecauseItsUnitIsAGuess() {
        assertThatThrownBy(() -> Durations.parse("10")).hasMessage("'10' has no unit; write 10s, 10ms or 10m");
    }

    @Test
    void otherFormsAreRefusedSayingWhatIsAccepted() {
        assertThatThrownBy(() -> Durations.parse("1h30m")).hasMessageContaining("'1h30m' is not a duration").hasMessageContaining("PT1H30M");
        assertThatThrownBy(() -> Durations.parse("10 s")).hasMessageContaining("'10 s' is not a duration");
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("e.g. 500ms, 30s, 10m");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("'' is not a duration");
        assertThatThrownBy(() -> Durations.parse("99999999999999999d")).hasMessageContaining("is not a duration");
    }

    @Test
    void positiveRefusesZeroAndNegative() {
        assertThatThrownBy(() -> Durations.positive("0s")).hasMessage("'0s' is not a positive duration");
        assertThatThrownBy(() -> Durations.positive("PT-5M")).hasMessage("'PT-5M' is not a positive duration");
    }

    @Test
    void formatUsesTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofMillis(100))).isEqualTo("100ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
    }
}
