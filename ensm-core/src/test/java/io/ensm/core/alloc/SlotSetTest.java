package io.ensm.core.alloc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SlotSetTest {

    @Test
    void nextFreeSkipsTakenSlotsAcrossChunks() {
        SlotSet s = new SlotSet();
        for (long i = 0; i < 3000; i++) {
            s.add(i);
        }
        assertThat(s.nextFree(0, Long.MAX_VALUE)).isEqualTo(3000);
        s.remove(1500);
        assertThat(s.nextFree(0, Long.MAX_VALUE)).isEqualTo(1500);
        assertThat(s.nextFree(1501, Long.MAX_VALUE)).isEqualTo(3000);
        assertThat(s.nextFree(0, 1500)).isEqualTo(-1);
        assertThat(s.size()).isEqualTo(2999);
    }

    @Test
    void worksAtTheTopOfTheLongRangeAndFreesEmptyChunks() {
        SlotSet s = new SlotSet();
        long top = Long.MAX_VALUE - 1;
        assertThat(s.add(top)).isTrue();
        assertThat(s.add(top)).isFalse();
        assertThat(s.contains(top)).isTrue();
        assertThat(s.nextFree(top, Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(s.nextFree(top - 1, Long.MAX_VALUE)).isEqualTo(top - 1);
        assertThat(s.remove(top)).isTrue();
        assertThat(s.remove(top)).isFalse();
        assertThat(s.size()).isZero();
    }
}
