package io.ensm.core.observe;

import io.ensm.core.alloc.AddressPool;
import io.ensm.core.alloc.PoolAllocator;
import io.ensm.core.alloc.PoolUsage;
import io.ensm.core.alloc.VlanPools;
import io.ensm.core.alloc.VniPool;
import io.ensm.core.spi.VlanRange;
import io.ensm.core.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PoolUsageTest {
    final AddressPool addresses = new AddressPool("blue", List.of("10.0.0.0/29", "fd00::/126"));
    final VlanPools vlans = new VlanPools();
    final VniPool vnis = new VniPool(5000, 5009);
    final PoolAllocator allocator = new PoolAllocator(Map.of("blue", addresses), vlans, vnis);

    @Test
    void listsEveryPoolWithUseAndCapacity() {
        vlans.register("uplink:up1", new VlanRange(100, 103));
        addresses.allocate("c1", List.of());
        vlans.allocate("uplink:up1", "c1");
        vnis.allocate("c1");
        vnis.allocate("c2");

        assertThat(allocator.usage()).containsExactlyInAnyOrder(
                new PoolUsage(PoolUsage.Kind.IPV4, "blue", 1, 3),   // /29: 6 usable addresses, 3 pairs
                new PoolUsage(PoolUsage.Kind.IPV6, "blue", 1, 1),   // /126: 3 usable addresses, 1 pair
                new PoolUsage(PoolUsage.Kind.VLAN, "uplink:up1", 1, 4),
                new PoolUsage(PoolUsage.Kind.VNI, "vni", 2, 10));
    }

    @Test
    void gaugesFollowThePoolsAndPickUpPoolsRegisteredLater() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EnsmMeters meters = new EnsmMeters(registry, new MutableClock(Instant.EPOCH));
        meters.pools(allocator::usage);
        addresses.allocate("c1", List.of());
        assertThat(registry.get("ensm.pool.used").tags("kind", "ipv4", "pool", "blue").gauge().value()).isEqualTo(1);
        assertThat(registry.get("ensm.pool.utilisation").tags("kind", "ipv4", "pool", "blue").gauge().value()).isEqualTo(1.0 / 3);
        assertThat(registry.find("ensm.pool.used").tags("kind", "vlan").gauge()).isNull();

        vlans.register("uplink:up2", new VlanRange(7, 7));
        vlans.allocate("uplink:up2", "c1");
        meters.refreshPools();
        assertThat(registry.get("ensm.pool.utilisation").tags("kind", "vlan", "pool", "uplink:up2").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("ensm.pool.capacity").tags("kind", "vni", "pool", "vni").gauge().value()).isEqualTo(10);
    }
}
