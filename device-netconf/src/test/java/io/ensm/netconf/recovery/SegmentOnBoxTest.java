package io.ensm.netconf.recovery;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.observe.EnsmMeters;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.store.Phase;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Contexts;
import io.ensm.core.testing.Requests;
import io.ensm.netconf.backend.NetconfBackend;
import io.ensm.netconf.backend.NetconfBackendProvider;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.NetconfTestbedExtension;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.transaction.TransactionRunner;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shared segment on a real netconfd box, through the whole runtime in this JVM (gRPC server,
 * embedded registry, SQLite store, the provisioner and the reconciler): one sub-interface for all
 * the segment's connections, written with the first and removed after the last, repaired and swept
 * by reconciliation. The box (device 1 of the shared test bed) is read with OpenSSH, not with
 * ensm's code.
 */
@Tag("netconf-testbed")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentOnBoxTest {
    static final String NAME = "ensm-segments";
    static final String SERVICE = "lan";
    static final String PORT = "eth1";
    /** The segment's fixed VLAN: the sub-interface's name is known before the first join. */
    static final int VLAN = 3650;
    static final String SUB = PORT + "." + VLAN;

    @TempDir
    Path dir;
    private Path data;
    private NetconfTestbed bed;
    private final List<EnsmRuntime> runtimes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    void useBox() {
        // The JVM's shared test bed: this test neither stops nor freezes its boxes, and its VLANs
        // (3650-3659) and owner are its own, so the other tests' work on the port is not touched.
        bed = NetconfTestbedExtension.startOrSkip(() -> NetconfTestbed.shared(2, "candidate"));
    }

    @BeforeEach
    void newStore() {
        data = dir.resolve("data-" + java.util.UUID.randomUUID());
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
        runtimes.forEach(EnsmRuntime::close);
        runtimes.clear();
        // Whatever a failed test left marked on the box goes, whatever its store says.
        Backend backend = standalone();
        try {
            backend.removeOrphans(id -> false);
        } catch (BackendException e) {
            throw new AssertionError("clean-up of the box failed", e);
        } finally {
            backend.close();
        }
        assertThat(marked()).as("the box after the test").isEmpty();
    }

    private static Segment segment() {
        return new Segment(List.of("10.70.0.1", "fd70::1"), List.of("0.0.0.0/0"), VLAN);
    }

    private Map<String, String> settings() {
        NetconfTestbed.Device d = bed.device(1);
        Map<String, String> s = new HashMap<>();
        s.put("host", d.host());
        s.put("port", Integer.toString(d.port()));
        s.put("username", d.username());
        s.put("password-file", d.passwordFile().toString());
        s.put("known-hosts", d.knownHosts().toString());
        s.put("driver", "ietf");
        s.put("port-name", PORT);
        s.put("uplink", "ens-up");
        s.put("vlans", "3650-3659");
        return s;
    }

    /** A backend of the runtime's owner outside it, as another process of the same ensm would have. */
    private Backend standalone() {
        return new NetconfBackendProvider().create(Contexts.backend(new EndpointSpec("box-1", SERVICE, Map.of()), settings(),
                new Owner(NAME)));
    }

    private EnsmRuntime start(Duration reconcile) {
        List<ServiceSpec> services = List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.70.0.0/24", "fd70::/64"),
                List.of(), segment()));
        List<EndpointDefinition> endpoints = List.of(new EndpointDefinition(new EndpointSpec("box-1", SERVICE, Map.of()), "netconf",
                settings()));
        EnsmSettings settings = new EnsmSettings(NAME, new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:1", null,
                data, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(2), reconcile, 1500, 1, 1000,
                services, endpoints, null, Map.of(), List.of(), null, OrphanPolicy.SWEEP, null);
        EnsmRuntime runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()),
                Clock.systemUTC());
        runtimes.add(runtime);
        return runtime;
    }

    private void stop(EnsmRuntime runtime) {
        runtime.close();
        runtimes.remove(runtime);
    }

    private static NetconfBackend backendOf(EnsmRuntime runtime) {
        return (NetconfBackend) EnsmMeters.unwrap(runtime.catalog().endpoints().iterator().next().backend());
    }

    private ManagedChannel channel(EnsmRuntime runtime) {
        ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        channels.add(c);
        return c;
    }

    private static Connection request(ManagedChannel channel) {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .request(Requests.request().service(SERVICE).expires(Instant.now().plus(Duration.ofHours(1)))
                        .mechanisms(Requests.vlan()).build());
    }

    /** ensm's own id of the connection a reply describes. */
    private static String idOf(Connection reply) {
        return reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
    }

    private static void close(ManagedChannel channel, Connection reply) {
        NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).close(reply);
    }

    /** Marker ids of this ensm on the box's running configuration, read with OpenSSH. */
    private Set<String> marked() {
        Set<String> ids = new TreeSet<>();
        TestSubInterfaceCodec.parse(bed.independentInterfaces(1)).values().forEach(f ->
                io.ensm.netconf.driver.Marker.read(f.description()).filter(m -> m.owner().equals(NAME))
                        .ifPresent(m -> ids.add(m.connectionId())));
        return ids;
    }

    /** The box's running interfaces, read with OpenSSH. */
    private String box() {
        return bed.independentInterfaces(1);
    }

    /** Whether the box holds the segment's sub-interface as written: VLAN, mark, both gateways with the subnets' lengths. */
    private boolean segmentOnBox() {
        String reply = box();
        var found = TestSubInterfaceCodec.parse(reply).get(SUB);
        return found != null && found.vlan().equals(Integer.toString(VLAN))
                && found.description().equals("ensm@" + NAME + ":segment." + SERVICE)
                && found.ipv4().equals("10.70.0.1")
                && reply.matches("(?s).*<ip>10\\.70\\.0\\.1</ip>\\s*<prefix-length>24</prefix-length>.*")
                && reply.matches("(?s).*<ip>fd70::1</ip>\\s*<prefix-length>64</prefix-length>.*");
    }

    /** Device I/O of the runtime's backend so far: edit-configs and get-configs. */
    private static long[] io(NetconfBackend b) {
        return new long[] {b.edits(), b.reads()};
    }

    @Test
    void threeConnectionsShareOneSubInterfaceWrittenOnceAndRemovedAfterTheLastLeave() {
        EnsmRuntime runtime = start(Duration.ofHours(1)); // no pass during the test: all I/O is the joins' and leaves'
        NetconfBackend b = backendOf(runtime);
        ManagedChannel ch = channel(runtime);
        long[] atStart = io(b);

        Connection first = request(ch);
        long[] afterFirst = io(b);
        assertThat(afterFirst[0] - atStart[0]).as("edit-configs of the first join").isEqualTo(1);
        assertThat(segmentOnBox()).as("the segment's sub-interface on the box:\n%s", box()).isTrue();
        assertThat(marked()).containsExactly("segment." + SERVICE);
        assertThat(first.getContext().getIpContext().getSrcIpAddrsList()).hasSize(2)
                .allSatisfy(a -> assertThat(a).matches(".*/(24|64)"));
        assertThat(first.getContext().getIpContext().getDstIpAddrsList()).containsExactly("10.70.0.1/24", "fd70::1/64");

        Connection second = request(ch);
        Connection third = request(ch);
        assertThat(io(b)).as("edit-configs and get-configs of joins 2 and 3").containsExactly(afterFirst);
        assertThat(List.of(first, second, third)).extracting(c -> runtime.connections().get(idOf(c)).orElseThrow().allocation().vlanId())
                .containsOnly(VLAN);
        assertThat(List.of(first, second, third)).extracting(c -> c.getContext().getIpContext().getSrcIpAddrs(0))
                .doesNotHaveDuplicates();

        close(ch, first);
        close(ch, second);
        assertThat(io(b)).as("device I/O of the first two leaves").containsExactly(afterFirst);
        assertThat(segmentOnBox()).as("the sub-interface stays while a connection is on it").isTrue();

        close(ch, third);
        assertThat(b.edits() - afterFirst[0]).as("edit-configs of the last leave").isEqualTo(1);
        assertThat(TestSubInterfaceCodec.parse(box())).doesNotContainKey(SUB);
        assertThat(runtime.connections().all()).isEmpty();
    }

    /** The short version of scripts/bench-netconf segment: transaction counts only, no timings. */
    @Test
    void twentyClientsJoinWithOneTransactionAndLeaveWithOne() {
        EnsmRuntime runtime = start(Duration.ofHours(1));
        NetconfBackend b = backendOf(runtime);
        ManagedChannel ch = channel(runtime);
        long editsBefore = b.edits();
        List<Connection> members = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            members.add(request(ch));
        }
        assertThat(b.edits() - editsBefore).as("edit-configs of 20 joins").isEqualTo(1);
        assertThat(members).extracting(c -> c.getContext().getIpContext().getSrcIpAddrs(0)).doesNotHaveDuplicates();
        long editsJoined = b.edits();
        members.forEach(c -> close(ch, c));
        assertThat(b.edits() - editsJoined).as("edit-configs of 20 leaves").isEqualTo(1);
        assertThat(TestSubInterfaceCodec.parse(box())).doesNotContainKey(SUB);
        assertThat(runtime.connections().all()).isEmpty();
    }

    @Test
    void aSubInterfaceDeletedBehindEnsmsBackIsWrittenAgainByTheNextPass() throws Exception {
        EnsmRuntime runtime = start(Duration.ofSeconds(1));
        ManagedChannel ch = channel(runtime);
        List<Connection> members = List.of(request(ch), request(ch), request(ch));
        assertThat(segmentOnBox()).isTrue();
        long editsBefore = backendOf(runtime).edits();

        SshConnector connector = new SshConnector();
        try (SessionPool other = new SessionPool(bed.config(1), connector::connect)) {
            var removed = other.withSession(s -> new TransactionRunner().run(s,
                    List.of(new TestSubInterface(PORT, VLAN, "10.70.0.1", 24, "x")), TestSubInterfaceCodec.removing()));
            // Its read-back found the sub-interface gone (a pass may write it again any moment after).
            assertThat(removed).allMatch(io.ensm.netconf.transaction.ItemResult::ok);
        } finally {
            connector.close();
        }

        assertThat(waitFor(Duration.ofSeconds(20), this::segmentOnBox)).as("repaired; the box holds:\n%s", box()).isTrue();
        // Three connections found it missing; the sub-interface they share is written once.
        sleep(2500);
        assertThat(backendOf(runtime).edits() - editsBefore).as("edit-configs of the repair").isEqualTo(1);
        members.forEach(c -> close(ch, c));
        assertThat(TestSubInterfaceCodec.parse(box())).doesNotContainKey(SUB);
    }

    @Test
    void theSweepRemovesASegmentSubInterfaceWhoseServiceHasNoConnectionsAndKeepsOneWhoseServiceHas() throws Exception {
        EnsmRuntime runtime = start(Duration.ofSeconds(1));
        ManagedChannel ch = channel(runtime);
        Connection member = request(ch);
        assertThat(segmentOnBox()).isTrue();

        // A segment of a service with no connections (as a crash would leave it), on another VLAN of the port.
        NetconfBackend other = (NetconfBackend) standalone();
        ProvisionIntent gone = new ProvisionIntent("c-gone", new EndpointSpec("box-1", "gone", Map.of()), PlanKind.FABRIC_VLAN,
                new Allocation(List.of("10.71.0.1/24"), List.of("10.71.0.2/24"), "", 3659, 0), null, 1500, segment());
        try {
            other.joinSegment(gone);
            assertThat(other.edits()).as("edit-configs writing the orphan").isEqualTo(1);
        } finally {
            other.close();
        }

        assertThat(waitFor(Duration.ofSeconds(20), () -> !marked().contains("segment.gone")))
                .as("the orphaned segment is swept; marked: %s", marked()).isTrue();
        sleep(2500); // two more passes
        assertThat(marked()).as("the segment with a connection stays").containsExactly("segment." + SERVICE);
        assertThat(segmentOnBox()).isTrue();
        close(ch, member);
        assertThat(marked()).isEmpty();
    }

    @Test
    void aCrashAfterTheLastCloseWasStoredButBeforeTheSubInterfaceWentIsFinishedByReconciliation() {
        EnsmRuntime runtime = start(Duration.ofHours(1));
        ManagedChannel ch = channel(runtime);
        Connection last = request(ch);
        String id = idOf(last);
        stop(runtime);
        // As a crash right after the Close stored RELEASING: the record says so, the box still has the segment.
        try (SqliteConnectionStore store = new SqliteConnectionStore(data)) {
            StoredConnection c = store.get(id).orElseThrow();
            store.put(c.withPhase(Phase.RELEASING));
        }
        assertThat(segmentOnBox()).isTrue();

        EnsmRuntime restarted = start(Duration.ofHours(1)); // the start's pass alone
        assertThat(restarted.connections().get(id)).as("the release is finished at start").isEmpty();
        assertThat(TestSubInterfaceCodec.parse(box())).as("the segment's sub-interface goes with its last connection")
                .doesNotContainKey(SUB);
    }

    @Test
    void aSubInterfaceLeftWithoutAnyRecordIsSweptAtTheNextStart() {
        EnsmRuntime runtime = start(Duration.ofHours(1));
        ManagedChannel ch = channel(runtime);
        Connection last = request(ch);
        stop(runtime);
        // As a crash after the record went but before the box was changed (or a store restored from before the segment).
        try (SqliteConnectionStore store = new SqliteConnectionStore(data)) {
            store.delete(idOf(last));
        }
        assertThat(segmentOnBox()).isTrue();

        start(Duration.ofHours(1));
        assertThat(TestSubInterfaceCodec.parse(box())).as("swept by the start's pass").doesNotContainKey(SUB);
    }

    private static boolean waitFor(Duration limit, BooleanSupplier done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            sleep(200);
        }
        return done.getAsBoolean();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
