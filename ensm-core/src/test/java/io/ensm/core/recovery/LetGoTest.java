package io.ensm.core.recovery;

import io.ensm.core.alloc.AddressPool;
import io.ensm.core.alloc.ClaimingAllocator;
import io.ensm.core.alloc.PoolAllocator;
import io.ensm.core.alloc.VlanPools;
import io.ensm.core.alloc.VniPool;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.SharedClaims;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Letting an endpoint go hands its connections to another replica: nothing of theirs may be given back. */
class LetGoTest {
    private final MutableClock clock = new MutableClock();
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FABRIC_VLAN);
    private final Catalog catalog = Fixtures.catalog(backend, null);
    private final ServiceSpec service = Fixtures.service();
    private final BackendCapabilities caps = backend.capabilities();
    private final SharedClaims shared = new SharedClaims();

    @Test
    void theConnectionsOfAnEndpointLetGoKeepTheirClaimsForTheReplicaThatTakesThemOver() {
        VlanPools vlans = new VlanPools();
        vlans.register(caps.vlanPool(), caps.vlans());
        ClaimingAllocator allocator = new ClaimingAllocator(new PoolAllocator(
                Map.of(service.name(), new AddressPool(service.name(), service.cidrs())), vlans, new VniPool(5000, 5009)), shared);
        ConnectionTable table = new ConnectionTable(new InMemoryConnectionStore());
        Allocation a = allocator.allocate("conn-1", service, caps, PlanKind.FABRIC_VLAN, List.of());
        table.put(new StoredConnection("conn-1", Fixtures.ENDPOINT, service.name(), Phase.APPLIED, PlanKind.FABRIC_VLAN, a, null,
                1500, new Attachment.Vlan(RecordingBackend.UPLINK, a.vlanId()), clock.instant().plusSeconds(600), new byte[0]));
        Map<?, String> before = shared.holders();
        assertThat(before).isNotEmpty();

        try (ExpiryTimers timers = ExpiryTimers.following(table, clock)) {
            Reconciler reconciler = new Reconciler(table, catalog, allocator, new Provisioner(null), timers, clock, id -> { },
                    new SerializeById(Duration.ofMillis(200))::exclusive);
            assertThat(reconciler.letGo(Fixtures.ENDPOINT)).hasSize(1);
        }

        assertThat(shared.holders()).as("the cluster-wide claims of a connection that lives on").isEqualTo(before);
    }
}
