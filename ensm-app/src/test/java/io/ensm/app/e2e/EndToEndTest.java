package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.State;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceQuery;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.ensm.ctl.Cli;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The real service in its own JVM, driven over TCP as an NSC would, with the device state read from the journal. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {
    static final String ENSM = "ensm-e2e";
    static final String SERVICE = "breakout";
    static final String ENDPOINT = "edge-1";

    @TempDir
    static Path dir;
    @AutoClose
    static EnsmProcess ensm;
    static Journal journal;
    @AutoClose
    static Nsc nsc;

    @BeforeAll
    static void start() {
        journal = Journal.in(dir);
        ensm = new EnsmProcess(dir, config(dir)).start();
        nsc = new Nsc(ensm.target());
    }

    static Map<String, String> config(Path dir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", ENSM);
        p.put("ensm.services[0].name", SERVICE);
        p.put("ensm.services[0].payload", "ETHERNET");
        p.put("ensm.services[0].cidrs[0]", "10.60.0.0/24");
        p.put("ensm.services[1].name", "firewall");
        p.put("ensm.services[1].payload", "IP");
        p.put("ensm.services[1].cidrs[0]", "10.61.0.0/24");
        p.put("ensm.endpoints[0].name", ENDPOINT);
        p.put("ensm.endpoints[0].service", SERVICE);
        p.put("ensm.endpoints[0].backend.type", "journal");
        p.put("ensm.endpoints[0].backend.settings.file", dir.resolve("journal.txt").toString());
        p.put("ensm.endpoints[0].backend.settings.vlans", "100-199");
        p.put("ensm.endpoints[1].name", "fw-1");
        p.put("ensm.endpoints[1].service", "firewall");
        p.put("ensm.endpoints[1].preprovisioned.uplink", "eth1");
        p.put("ensm.endpoints[1].preprovisioned.vlans", "300-399");
        p.put("ensm.endpoints[1].preprovisioned.plans", "fabric-vlan");
        return p;
    }

    static Instant inTenMinutes() {
        return Instant.now().plus(Duration.ofMinutes(10));
    }

    @Test
    @Order(1)
    void requestReturnsUpConnectionWithPooledVlanAndServiceAddresses() {
        var request = Nsc.request(SERVICE, inTenMinutes());
        String callerId = request.getConnection().getId();

        Connection reply = nsc.ns().request(request);

        assertThat(reply.getId()).isEqualTo(callerId);
        assertThat(reply.getState()).isEqualTo(State.UP);
        assertThat(reply.getNetworkServiceEndpointName()).isEqualTo(ENDPOINT);
        assertThat(reply.getPath().getIndex()).isZero();
        assertThat(reply.getPath().getPathSegmentsCount()).isEqualTo(2);
        assertThat(reply.getPath().getPathSegments(0).getId()).isEqualTo(callerId);
        assertThat(reply.getPath().getPathSegments(0).getName()).isEqualTo(Nsc.NAME);
        assertThat(reply.getPath().getPathSegments(1).getName()).isEqualTo(ENSM);
        assertThat(reply.getPath().getPathSegments(1).getId()).isNotEmpty().isNotEqualTo(callerId);
        assertThat(reply.getMechanism().getType()).isEqualTo("VLAN");
        int vlan = Integer.parseInt(reply.getMechanism().getParametersOrThrow("vlan-id"));
        assertThat(vlan).isBetween(100, 199);
        var ip = reply.getContext().getIpContext();
        assertThat(ip.getDstIpAddrsList()).singleElement().asString().startsWith("10.60.0.").endsWith("/32");
        assertThat(ip.getSrcIpAddrsList()).singleElement().asString().startsWith("10.60.0.").endsWith("/32");
        assertThat(ip.getDstIpAddrs(0)).isNotEqualTo(ip.getSrcIpAddrs(0));

        Journal.Entry entry = journal.entries().get(Nsc.ensmId(reply));
        assertThat(entry).as("journal line for %s in\n%s", Nsc.ensmId(reply), journal.content()).isNotNull();
        assertThat(entry.vlan()).isEqualTo(vlan);
        assertThat(entry.endpointAddrs()).isEqualTo(ip.getDstIpAddrsList());
        assertThat(entry.clientAddrs()).isEqualTo(ip.getSrcIpAddrsList());

        nsc.ns().close(reply);
        assertThat(journal.entries()).doesNotContainKey(Nsc.ensmId(reply));
    }

    @Test
    @Order(2)
    void refreshKeepsAddressesAndVlanAndDoesNoDeviceIo() {
        Connection first = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        int callsBefore = journal.callLog().size();
        String journalBefore = journal.content();

        Connection refreshed = nsc.ns().request(Nsc.refresh(first, inTenMinutes().plusSeconds(60)));

        assertThat(refreshed.getId()).isEqualTo(first.getId());
        assertThat(Nsc.ensmId(refreshed)).isEqualTo(Nsc.ensmId(first));
        assertThat(refreshed.getContext().getIpContext().getDstIpAddrsList()).isEqualTo(first.getContext().getIpContext().getDstIpAddrsList());
        assertThat(refreshed.getContext().getIpContext().getSrcIpAddrsList()).isEqualTo(first.getContext().getIpContext().getSrcIpAddrsList());
        assertThat(refreshed.getMechanism().getParametersOrThrow("vlan-id")).isEqualTo(first.getMechanism().getParametersOrThrow("vlan-id"));
        assertThat(journal.callLog()).as("device calls after refresh").hasSize(callsBefore);
        assertThat(journal.content()).isEqualTo(journalBefore);

        Cli.Result list = Cli.against(ensm.target(), "ensmctl-e2e").run("list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        String vlan = refreshed.getMechanism().getParametersOrThrow("vlan-id");
        String src = refreshed.getContext().getIpContext().getSrcIpAddrs(0);
        assertThat(list.lines()).anySatisfy(row -> assertThat(row).startsWith(Nsc.ensmId(refreshed) + "  UP")
                .contains(SERVICE, ENDPOINT, "VLAN", "vlan " + vlan, src));
        Cli.Result show = Cli.against(ensm.target(), "ensmctl-e2e").run("show", refreshed.getId());
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).contains("id:            " + Nsc.ensmId(refreshed), "parameters:    vlan-id=" + vlan,
                "src addresses: " + src, "id=" + refreshed.getId());

        nsc.ns().close(refreshed);
    }

    @Test
    @Order(3)
    void monitorSendsInitialStateThenUpdateAndDeleteAfterCloseWhichEmptiesTheJournal() throws InterruptedException {
        try (Nsc.Monitor monitor = nsc.monitor()) {
            ConnectionEvent initial = monitor.next(Duration.ofSeconds(10));
            assertThat(initial.getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);

            Connection reply = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
            String ensmId = Nsc.ensmId(reply);
            ConnectionEvent update = nextAbout(monitor, ensmId, Duration.ofSeconds(10));
            assertThat(update.getType()).isEqualTo(ConnectionEventType.UPDATE);
            assertThat(about(update, ensmId)).allSatisfy(c -> assertThat(c.getState()).isEqualTo(State.UP));
            assertThat(journal.entries()).containsKey(ensmId);

            nsc.ns().close(reply);
            ConnectionEvent delete = nextAbout(monitor, ensmId, Duration.ofSeconds(10));
            assertThat(delete.getType()).isEqualTo(ConnectionEventType.DELETE);
            assertThat(journal.entries()).doesNotContainKey(ensmId);
        }
    }

    @Test
    @Order(4)
    void connectionWithoutRefreshExpiresAtCallerSegmentExpiry() throws InterruptedException {
        try (Nsc.Monitor monitor = nsc.monitor()) {
            assertThat(monitor.next(Duration.ofSeconds(10)).getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
            Connection reply = nsc.ns().request(Nsc.request(SERVICE, Instant.now().plusSeconds(3)));
            String ensmId = Nsc.ensmId(reply);
            assertThat(nextAbout(monitor, ensmId, Duration.ofSeconds(10)).getType()).isEqualTo(ConnectionEventType.UPDATE);
            assertThat(journal.entries()).containsKey(ensmId);

            ConnectionEvent delete = nextAbout(monitor, ensmId, Duration.ofSeconds(20));

            assertThat(delete.getType()).isEqualTo(ConnectionEventType.DELETE);
            assertThat(journal.entries()).doesNotContainKey(ensmId);
            assertThat(journal.callLog()).contains("release " + ensmId);
        }
    }

    @Test
    @Order(5)
    void registryFindsTheConfiguredServicesAndEndpoints() throws InterruptedException {
        List<String> nses = awaitList(() -> {
            List<String> names = new ArrayList<>();
            NetworkServiceEndpointRegistryGrpc.newBlockingStub(nsc.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .find(NetworkServiceEndpointQuery.newBuilder().setNetworkServiceEndpoint(NetworkServiceEndpoint.getDefaultInstance()).build())
                    .forEachRemaining(r -> names.add(r.getNetworkServiceEndpoint().getName()));
            return names;
        }, l -> l.containsAll(List.of(ENDPOINT, "fw-1")));
        assertThat(nses).contains(ENDPOINT, "fw-1");

        var found = NetworkServiceEndpointRegistryGrpc.newBlockingStub(nsc.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .find(NetworkServiceEndpointQuery.newBuilder().setNetworkServiceEndpoint(
                        NetworkServiceEndpoint.newBuilder().setName(ENDPOINT)).build());
        List<NetworkServiceEndpoint> edge = new ArrayList<>();
        found.forEachRemaining(r -> edge.add(r.getNetworkServiceEndpoint()));
        assertThat(edge).singleElement().satisfies(n -> {
            assertThat(n.getNetworkServiceNamesList()).containsExactly(SERVICE);
            assertThat(n.getUrl()).isEqualTo("tcp://" + ensm.target());
        });

        List<String> services = awaitList(() -> {
            List<String> names = new ArrayList<>();
            NetworkServiceRegistryGrpc.newBlockingStub(nsc.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .find(NetworkServiceQuery.newBuilder().setNetworkService(NetworkService.getDefaultInstance()).build())
                    .forEachRemaining(r -> names.add(r.getNetworkService().getName()));
            return names;
        }, l -> l.containsAll(List.of(SERVICE, "firewall")));
        assertThat(services).contains(SERVICE, "firewall");
    }

    @Test
    @Order(6)
    void gracefulStopUnregistersTheEndpoints() {
        int exit = ensm.stop();

        String log = ensm.log();
        assertThat(log).as("output after SIGTERM").contains("event=ensm-stopping", "event=ensm-stopped",
                "endpoint unregistered name=" + ENDPOINT, "endpoint unregistered name=fw-1");
        assertThat(exit).as("exit code after SIGTERM, output:\n%s", log).isIn(0, 143);
    }

    static List<Connection> about(ConnectionEvent e, String ensmId) {
        return e.getConnectionsMap().values().stream()
                .filter(c -> c.getId().equals(ensmId) || c.getPath().getPathSegmentsList().stream().anyMatch(s -> s.getId().equals(ensmId)))
                .toList();
    }

    /** The next UPDATE or DELETE that carries the connection, skipping events about others. */
    static ConnectionEvent nextAbout(Nsc.Monitor monitor, String ensmId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no monitor event about " + ensmId + " within " + timeout);
            }
            ConnectionEvent e = monitor.next(Duration.ofNanos(left));
            if (!about(e, ensmId).isEmpty()) {
                return e;
            }
        }
    }

    interface Lister {
        List<String> list();
    }

    static List<String> awaitList(Lister lister, Predicate<List<String>> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<String> last = lister.list();
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = lister.list();
        }
        return last;
    }
}
