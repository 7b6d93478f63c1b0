package io.ensm.core.endpoint.provision;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.spi.VlanRange;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.InMemoryConnectionStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint's holder decides the segment's first join and last leave from the stored records,
 * so a process that takes the endpoint over (another replica, or this one after a restart) finds
 * the segment joined by its members and writes it neither again nor away.
 */
class SegmentJoinFromStoreTest {
    private static final ServiceSpec LAN = new ServiceSpec("lan", Payload.ETHERNET, List.of("10.50.0.0/24"), List.of(),
            new Segment(List.of("10.50.0.1"), List.of(), 0));

    /** A box counting the segment's shared writes. */
    private static final class CountingBox implements Backend {
        final AtomicInteger joins = new AtomicInteger();
        final AtomicInteger leaves = new AtomicInteger();

        @Override
        public BackendCapabilities capabilities() {
            return new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "uplink:eth1", new VlanRange(100, 109), null);
        }

        @Override
        public Attachment provision(ProvisionIntent intent) {
            return new Attachment.FabricVlan(intent.allocation().vlanId());
        }

        @Override
        public void release(ProvisionIntent intent) {}

        @Override
        public Verification verify(ProvisionIntent intent) {
            return Verification.PRESENT;
        }

        @Override
        public boolean servesSegments() {
            return true;
        }

        @Override
        public void joinSegment(ProvisionIntent intent) {
            joins.incrementAndGet();
        }

        @Override
        public void leaveSegment(ProvisionIntent intent) {
            leaves.incrementAndGet();
        }
    }

    private final CountingBox box = new CountingBox();
    private final ExposedEndpoint endpoint = new ExposedEndpoint(new EndpointSpec("box-1", "lan", Map.of()), box);

    private static StoredConnection member(String id, Phase phase, int address) {
        return new StoredConnection(id, "box-1", "lan", phase, PlanKind.FABRIC_VLAN,
                new Allocation(List.of("10.50.0.1/24"), List.of("10.50.0." + address + "/24"), "uplink:eth1", 100, 0),
                null, 1500, phase == Phase.APPLIED ? new Attachment.FabricVlan(100) : null, Instant.EPOCH.plusSeconds(3600), null);
    }

    private static ProvisionIntent intentOf(StoredConnection c) {
        return new ProvisionIntent(c.id(), new EndpointSpec(c.endpoint(), c.service(), Map.of()), c.plan(), c.allocation(),
                null, c.mtu());
    }

    private Provisioner holderOf(ConnectionTable table) {
        return new Provisioner(null, Segments.of(s -> s.equals("lan") ? Optional.of(LAN) : Optional.empty(), table));
    }

    @Test
    void aNewMemberAtTheNewHolderWritesNothingWhileAnEarlierMemberIsApplied() throws Exception {
        StoredConnection first = member("c1", Phase.APPLIED, 2);
        ConnectionTable table = new ConnectionTable(InMemoryConnectionStore.with(first));
        table.loadEndpoint("box-1"); // what the new holder finds when it takes box-1 over
        Provisioner taker = holderOf(table);

        StoredConnection second = member("c2", Phase.PENDING, 3);
        table.put(second);
        taker.apply(endpoint, intentOf(second));
        assertThat(box.joins).as("the segment is on the box already").hasValue(0);

        table.put(second.applied(new Attachment.FabricVlan(100), null));
        taker.undo(endpoint, intentOf(first), first.attachment());
        table.remove("c1");
        assertThat(box.leaves).as("c2 is still on it").hasValue(0);
        taker.undo(endpoint, intentOf(second), new Attachment.FabricVlan(100));
        table.remove("c2");
        assertThat(box.leaves).as("the last left").hasValue(1);
    }

    @Test
    void membersNotYetAppliedDoNotCountAsAJoinSoTheFirstOfThemJoinsOnce() throws Exception {
        ConnectionTable table = new ConnectionTable(new InMemoryConnectionStore());
        Provisioner holder = holderOf(table);
        StoredConnection first = member("c1", Phase.PENDING, 2);
        StoredConnection second = member("c2", Phase.PENDING, 3);
        table.put(first);
        table.put(second);

        holder.apply(endpoint, intentOf(first));
        holder.apply(endpoint, intentOf(second));
        assertThat(box.joins).hasValue(1);
    }
}
