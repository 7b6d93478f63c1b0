package io.ensm.core.recovery;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ensm.api.connection.Connection;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.monitor.ConnectionMonitor;
import io.ensm.core.endpoint.monitor.ConnectionOwners;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.PlanKind;
import io.ensm.core.runtime.LabelMatchChooser;
import io.ensm.core.runtime.RequestChain;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.StepProbe;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.SimpleAllocator;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Recovery with the chain the runtime assembles ({@link RequestChain}): expiries close through it
 * as the runtime's do, so a failed release is recorded where the chain's Close records it. The
 * store, the boxes (recording backends) and the forwarder outlive a restart; table, pools,
 * timers, chain and reconciler are made anew, wired as the runtime wires them.
 */
class RecoveryThroughTheChainTest {
    private static final Instant LATER = MutableClock.START.plus(Duration.ofHours(1));

    private final MutableClock clock = new MutableClock();
    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final RecordingBackend box = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final RecordingBackend otherBox = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final Catalog catalog = Fixtures.catalog(List.of(Fixtures.service()),
            List.of(Fixtures.endpoint("router-1", Requests.SERVICE, box), Fixtures.endpoint("router-2", Requests.SERVICE, otherBox)),
            forwarder);
    private final List<Run> runs = new ArrayList<>();

    @AfterEach
    void stop() {
        runs.forEach(r -> r.timers.close());
    }

    /** One process's worth of ensm over the shared store, boxes and forwarder. */
    private final class Run {
        final ConnectionTable table = new ConnectionTable(store);
        final SimpleAllocator allocator = new SimpleAllocator();
        final ExpiryTimers timers = ExpiryTimers.following(table, clock);
        final SerializeById serializer = new SerializeById(Duration.ofSeconds(5));
        final Endpoint endpoint;
        final Reconciler reconciler;

        Run() {
            runs.add(this);
            Provisioner provisioner = new Provisioner(forwarder);
            endpoint = RequestChain.assemble(new RequestChain.Parts("ensm-1", null, null, clock, table, serializer, timers,
                    Duration.ofMinutes(10), Duration.ofHours(24), new ConnectionMonitor(List::of), new ConnectionOwners(table),
                    catalog, new LabelMatchChooser(clock), allocator, 1500, provisioner, StepProbe.NONE));
            timers.onExpiry(this::expire);
            reconciler = new Reconciler(table, catalog, allocator, provisioner, timers, clock, this::expire, serializer::exclusive);
        }

        /** What the runtime's expiry does: a Close through the chain with cause EXPIRY. */
        void expire(String id) {
            table.get(id).ifPresent(c -> {
                try {
                    endpoint.close(Connection.parseFrom(c.connection()), CallContext.internal(CallContext.Cause.EXPIRY));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            });
        }

        /** A Request for {@code endpoint} whose caller segment expires at {@code expires}; returns ensm's own id. */
        String request(String endpointName, Instant expires) {
            Connection reply = endpoint.request(Requests.request().endpoint(endpointName).expires(expires).build(), CallContext.client());
            return reply.getPath().getPathSegments(1).getId();
        }
    }

    private void boxDown() {
        for (RecordingBackend.Op op : RecordingBackend.Op.values()) {
            box.failNext(op, 1000, Kind.UNREACHABLE, "device router-1: connect: connection refused");
        }
    }

    @Test
    void connectionsThatExpiredWhileDownOnABoxThatIsDownStartAndAreReleasedOnceItIsBack() {
        Run before = new Run();
        List<String> expiring = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expiring.add(before.request("router-1", clock.instant().plusSeconds(4)));
        }
        String steady = before.request("router-1", LATER);
        before.timers.close();

        // ensm is stopped, the box goes down, the three connections expire meanwhile.
        boxDown();
        clock.advance(Duration.ofMinutes(1));
        Run after = new Run();
        Reconciler.Report[] recovery = new Reconciler.Report[1];
        assertThatCode(() -> recovery[0] = after.reconciler.startup()).as("start-up with the box down").doesNotThrowAnyException();

        assertThat(recovery[0].failed()).isEqualTo(4);
        for (String id : expiring) {
            assertThat(store.phaseOf(id)).as("expired %s, its release recorded", id).isEqualTo(Phase.RELEASING);
        }
        assertThat(store.phaseOf(steady)).isEqualTo(Phase.APPLIED);
        String other = after.request("router-2", LATER);
        assertThat(otherBox.intentOf(other)).as("another endpoint serves meanwhile").isPresent();

        after.reconciler.pass();
        assertThat(box.provisioned()).as("still down: nothing released").containsKeys(expiring.toArray(String[]::new));

        box.healed();
        Reconciler.Report r = after.reconciler.pass();
        assertThat(r.released()).isEqualTo(3);
        assertThat(box.provisioned()).containsOnlyKeys(steady);
        assertThat(forwarder.connected()).containsOnlyKeys(steady, other);
        assertThat(store.loadAll()).extracting(c -> c.id()).containsExactlyInAnyOrder(steady, other);
        assertThat(after.allocator.held()).containsOnlyKeys(steady, other);
        assertThat(after.timers.armed()).isEqualTo(2);
    }

    @Test
    void aCloseAtExpiryThatFailsBeforeReleasingIsStoredIsExpiredByTheNextPass() {
        Run run = new Run();
        String id = run.request("router-1", clock.instant().plusSeconds(4));
        clock.advance(Duration.ofSeconds(5));
        store.failNextWrites(1, "disk full");
        assertStatus(() -> run.expire(id), Status.Code.UNAVAILABLE, "store release failed", "disk full");
        assertThat(store.phaseOf(id)).as("the failed Close changed nothing").isEqualTo(Phase.APPLIED);

        Reconciler.Report r = run.reconciler.pass();

        assertThat(r.expired()).isEqualTo(1);
        assertThat(store.phaseOf(id)).isNull();
        assertThat(box.provisioned()).isEmpty();
        assertThat(forwarder.connected()).isEmpty();
        assertThat(run.allocator.held()).isEmpty();
        assertThat(run.timers.armed()).isZero();
    }

    @Test
    void aConnectionForgottenByAFailedRequestLeavesNoTimer() {
        Run run = new Run();
        String nsc = "nsc-moves";
        Connection reply = run.endpoint.request(Requests.request().id(nsc).endpoint("router-1").expires(LATER).build(),
                CallContext.client());
        assertThat(run.timers.armed()).isEqualTo(1);

        // The caller's forwarder moved (another tunnel end): the old intent goes, the new one fails on the box.
        box.failNext(RecordingBackend.Op.PROVISION, Kind.REJECTED, "edit refused");
        var refresh = Requests.refreshOf(Requests.request().id(nsc).endpoint("router-1").build(), reply, LATER);
        var moved = refresh.toBuilder()
                .setConnection(refresh.getConnection().toBuilder().setMechanism(Requests.vxlan("192.0.2.99", 4789)))
                .clearMechanismPreferences().addMechanismPreferences(Requests.vxlan("192.0.2.99", 4789)).build();
        assertStatus(() -> run.endpoint.request(moved, CallContext.client()), Status.Code.FAILED_PRECONDITION, "edit refused");

        assertThat(store.isEmpty()).isTrue();
        assertThat(run.timers.armed()).as("the forgotten connection's timer").isZero();
    }

    @Test
    void theSameReleaseFailureOnAClientCloseIsAlsoRetriedByThePass() {
        Run run = new Run();
        String id = run.request("router-1", LATER);
        Map<String, ?> before = box.provisioned();
        assertThat(before).containsKey(id);
        boxDown();
        Connection stored;
        try {
            stored = Connection.parseFrom(store.get(id).orElseThrow().connection());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        assertStatus(() -> run.endpoint.close(stored, CallContext.client()), Status.Code.UNAVAILABLE, "backend release failed");
        assertThat(store.phaseOf(id)).isEqualTo(Phase.RELEASING);

        box.healed();
        assertThat(run.reconciler.pass().released()).isEqualTo(1);
        assertThat(store.isEmpty()).isTrue();
        assertThat(run.timers.armed()).isZero();
    }
}
