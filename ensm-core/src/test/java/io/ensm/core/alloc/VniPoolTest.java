package io.ensm.core.alloc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VniPoolTest {

    @Test
    void allocationIsIdempotentPerConnection() {
        VniPool pool = new VniPool();
        int vni = pool.allocate("c1");
        assertThat(vni).isBetween(1, VniPool.MAX_VNI);
        assertThat(pool.allocate("c1")).isEqualTo(vni);
        assertThat(pool.allocate("c2")).isNotEqualTo(vni);
        assertThat(pool.inUse()).isEqualTo(2);
    }

    @Test
    void exhaustionIsResourceExhaustedNamingThePool() {
        VniPool pool = new VniPool(5000, 5002);
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            got.add(pool.allocate("c" + i));
        }
        assertThat(got).containsExactlyInAnyOrder(5000, 5001, 5002);
        assertThatThrownBy(() -> pool.allocate("c3")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("VNI pool 5000-5002");
        });
    }

    @Test
    void releasedVniIsFreeAgainButNotReusedImmediately() {
        VniPool pool = new VniPool(1, 3);
        int first = pool.allocate("c1");
        pool.release("c1");
        assertThat(pool.inUse()).isZero();
        assertThat(pool.allocate("c2")).isNotEqualTo(first);
        pool.allocate("c3");
        assertThat(pool.allocate("c4")).isEqualTo(first);
    }

    @Test
    void restoreMarksVniTakenAndConflictingRestoreFails() {
        VniPool pool = new VniPool(1, 2);
        pool.restore("c1", 1);
        pool.restore("c1", 1);
        assertThat(pool.allocate("c2")).isEqualTo(2);
        assertThatThrownBy(() -> pool.restore("c3", 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pool.restore("c4", 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangeMustBeWithin24Bits() {
        assertThatThrownBy(() -> new VniPool(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VniPool(1, 1 << 24)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCallersVniIsTakenForItsConnectionAndRefusedToAnother() {
        VniPool pool = new VniPool(5000, 5009);
        assertThat(pool.take("c1", 5007)).isEqualTo(5007);
        assertThat(pool.take("c1", 5007)).as("the same pair again").isEqualTo(5007);
        assertThat(pool.allocate("c1")).isEqualTo(5007);
        assertThatThrownBy(() -> pool.take("c2", 5007)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
            assertThat(e.getStatus().getDescription()).contains("VNI 5007").contains("another connection");
        });
        assertThat(pool.inUse()).isEqualTo(1);
        pool.release("c1");
        assertThat(pool.take("c2", 5007)).isEqualTo(5007);
    }

    @Test
    void aCallersVniOutsideThePoolIsInvalidNamingTheRange() {
        VniPool pool = new VniPool(5000, 5009);
        for (int vni : new int[] {4999, 5010, 16777215, -1}) {
            assertThatThrownBy(() -> pool.take("c1", vni)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).contains("VNI " + vni).contains("5000-5009");
            });
        }
        assertThat(pool.inUse()).isZero();
    }
}
