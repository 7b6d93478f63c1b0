package io.ensm.core.alloc;

import io.ensm.core.spi.VlanRange;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VlanPoolsTest {

    @Test
    void allocationIsIdempotentPerConnectionAndUniquePerPool() {
        VlanPools pools = new VlanPools();
        pools.register("uplink-a", new VlanRange(100, 102));
        int a = pools.allocate("uplink-a", "c1");
        assertThat(pools.allocate("uplink-a", "c1")).isEqualTo(a);
        int b = pools.allocate("uplink-a", "c2");
        assertThat(a).isBetween(100, 102);
        assertThat(b).isNotEqualTo(a).isBetween(100, 102);
        assertThat(pools.inUse("uplink-a")).isEqualTo(2);
    }

    @Test
    void poolsAreIndependentPerKey() {
        VlanPools pools = new VlanPools();
        pools.register("uplink-a", new VlanRange(100, 100));
        pools.register("uplink-b", new VlanRange(100, 100));
        assertThat(pools.allocate("uplink-a", "c1")).isEqualTo(100);
        assertThat(pools.allocate("uplink-b", "c2")).isEqualTo(100);
    }

    @Test
    void exhaustionIsResourceExhaustedNamingThePool() {
        VlanPools pools = new VlanPools();
        pools.register("uplink-a", new VlanRange(100, 101));
        pools.allocate("uplink-a", "c1");
        pools.allocate("uplink-a", "c2");
        assertThatThrownBy(() -> pools.allocate("uplink-a", "c3"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("uplink-a").contains("100-101");
                });
    }

    @Test
    void releaseFreesTheIdButItIsNotReusedImmediately() {
        VlanPools pools = new VlanPools();
        pools.register("uplink-a", new VlanRange(100, 102));
        int first = pools.allocate("uplink-a", "c1");
        pools.release("uplink-a", "c1");
        pools.release("uplink-a", "unknown");
        assertThat(pools.inUse("uplink-a")).isZero();
        assertThat(pools.allocate("uplink-a", "c2")).isNotEqualTo(first);
        pools.allocate("uplink-a", "c3");
        assertThat(pools.allocate("uplink-a", "c4")).isEqualTo(first);
    }

    @Test
    void reRegisteringWithSameRangeKeepsThePoolAndADifferentRangeFails() {
        VlanPools pools = new VlanPools();
        pools.register("uplink-a", new VlanRange(100, 199));
        pools.allocate("uplink-a", "c1");
        pools.register("uplink-a", new VlanRange(100, 199));
        assertThat(pools.inUse("uplink-a")).isEqualTo(1);
        assertThatThrownBy(() -> pools.register("uplink-a", new VlanRange(100, 150)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uplink-a");
        assertThatThrownBy(() -> pools.allocate("nope", "c1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void restoreMarksIdsTakenAndConflictingRestoreFails() {
        VlanPools pools = new VlanPools();
        pools.register("uplink-a", new VlanRange(100, 101));
        pools.restore("uplink-a", "c1", 100);
        pools.restore("uplink-a", "c1", 100);
        assertThat(pools.allocate("uplink-a", "c1")).isEqualTo(100);
        assertThat(pools.allocate("uplink-a", "c2")).isEqualTo(101);
        assertThatThrownBy(() -> pools.restore("uplink-a", "c3", 100)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("c3");
        assertThatThrownBy(() -> pools.restore("uplink-a", "c1", 101)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pools.restore("uplink-a", "c4", 200)).isInstanceOf(IllegalArgumentException.class);
    }
}
