package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.observe.EnsmMeters;
import io.ensm.core.recovery.Reconciler;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.testing.Contexts;
import io.ensm.netconf.backend.NetconfBackendProvider;
import io.ensm.core.spi.Owner;
import io.ensm.forwarder.bridge.LinkNames;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Prerequisites;
import io.ensm.core.testing.Requests;
import io.ensm.netconf.backend.NetconfBackend;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.NetconfTestbedExtension;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shared segment end to end: NSM Requests over gRPC to the whole runtime, a real netconfd box
 * (its sub-interface read with OpenSSH, not with ensm's code) and the bridge forwarder in a
 * network namespace, with real packets. Three client namespaces stand for the NSM forwarders'
 * VXLAN ends (each builds its end from ensm's reply: VNI, ensm's address, its own address on the
 * segment); a "box" namespace behind ensm's access uplink stands for the box's data plane and
 * holds the gateway address. Every client reaches the gateway and the others; one leaves and the
 * others keep working; the box's sub-interface is written once and goes with the last leave, as
 * do ensm's bridge and the uplink's place in it.
 */
@Tag("netconf-testbed")
@Tag("kernel")
class SegmentThroughForwarderTest {
    private static final String NAME = "ensm-seg-fwd";
    private static final String SERVICE = "lan";
    private static final int DEVICE = 3;
    private static final String PORT = "eth1";
    private static final int VLAN = 3695;
    private static final String SUB = PORT + "." + VLAN;
    private static final String GATEWAY = "10.80.0.1";
    private static final String ENSM_UNDERLAY = "192.168.79.2";
    private static final Pattern ALIAS = Pattern.compile("alias (ensm@\\S*)");

    @TempDir
    Path dir;

    private NetconfTestbed bed;
    private final List<String> namespaces = new ArrayList<>();
    private String ensm;
    private String box;
    private EnsmRuntime runtime;
    private ManagedChannel channel;

    /** A client namespace, its underlay address and, once requested, its connection. */
    private static final class Client {
        final String ns;
        final String underlay;
        Connection reply;
        String address;

        Client(String ns, String underlay) {
            this.ns = ns;
            this.underlay = underlay;
        }
    }

    @BeforeEach
    void network() {
        Prerequisites.here().requireRoot("(CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces");
        Prerequisites.here().requireCommand("ip", "iproute2; scripts/test installs it");
        Prerequisites.here().requireCommand("ping", "iputils-ping; scripts/test installs it");
        bed = NetconfTestbedExtension.startOrSkip(() -> NetconfTestbed.shared(3, "candidate"));
        byte[] r = new byte[3];
        ThreadLocalRandom.current().nextBytes(r);
        String run = "ensmt-" + HexFormat.of().formatHex(r);
        ensm = namespace(run + "-ensm");
        box = namespace(run + "-box");
        Cmd.run("ip", "-n", ensm, "link", "add", "ulbr", "type", "bridge");
        Cmd.run("ip", "-n", ensm, "addr", "add", ENSM_UNDERLAY + "/24", "dev", "ulbr");
        Cmd.run("ip", "-n", ensm, "link", "set", "ulbr", "up");
        // ensm's access uplink to the box: untagged, the segment's VLAN is the box's business.
        Cmd.run("ip", "-n", ensm, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", box);
        Cmd.run("ip", "-n", box, "addr", "add", GATEWAY + "/24", "dev", "eth0");
        Cmd.run("ip", "-n", box, "link", "set", "eth0", "up");
    }

    private String namespace(String name) {
        Cmd.run("ip", "netns", "add", name);
        namespaces.add(name);
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    private Client client(int i) {
        Client c = new Client(namespace(ensm.replace("-ensm", "-c" + i)), "192.168.79.1" + i);
        Cmd.run("ip", "-n", c.ns, "link", "add", "ul0", "type", "veth", "peer", "name", "ul" + i, "netns", ensm);
        Cmd.run("ip", "-n", c.ns, "addr", "add", c.underlay + "/24", "dev", "ul0");
        Cmd.run("ip", "-n", c.ns, "link", "set", "ul0", "up");
        Cmd.run("ip", "-n", ensm, "link", "set", "ul" + i, "master", "ulbr", "up");
        return c;
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (runtime != null) {
            runtime.close();
        }
        // Whatever a failed test left on the box: a standalone backend of the same owner sweeps it.
        if (bed != null) {
            sweepBox();
        }
        List<String> problems = new ArrayList<>();
        for (String ns : namespaces.reversed()) {
            Cmd.Result r = Cmd.exec("ip", "netns", "del", ns);
            if (!r.ok()) {
                problems.add(ns + ": " + r.output().strip());
            }
        }
        assertThat(problems).as("namespaces deleted").isEmpty();
    }

    private void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        channel = null;
        runtime.close();
        runtime = null;
    }

    private Map<String, String> boxSettings() {
        Map<String, String> box = new java.util.HashMap<>();
        NetconfTestbed.Device d = bed.device(DEVICE);
        box.put("host", d.host());
        box.put("port", Integer.toString(d.port()));
        box.put("username", d.username());
        box.put("password-file", d.passwordFile().toString());
        box.put("known-hosts", d.knownHosts().toString());
        box.put("driver", "ietf");
        box.put("port-name", PORT);
        box.put("uplink", "up0");
        box.put("uplink-mode", "access");
        box.put("vlans", Integer.toString(VLAN));
        box.put("plans", "forwarder-vxlan");
        return box;
    }

    /** Removes what this owner left marked on the box's port, whatever a failed test's store said. */
    private void sweepBox() {
        Backend b = new NetconfBackendProvider().create(Contexts.backend(new EndpointSpec("box-3", SERVICE, Map.of()), boxSettings(),
                new Owner(NAME)));
        try {
            b.removeOrphans(id -> false);
        } catch (BackendException e) {
            throw new AssertionError("clean-up of the box failed", e);
        } finally {
            b.close();
        }
    }

    private void start() {
        Map<String, String> box = boxSettings();
        List<ServiceSpec> services = List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.80.0.0/24"), List.of(),
                new Segment(List.of(GATEWAY), List.of("0.0.0.0/0"), 0)));
        List<EndpointDefinition> endpoints = List.of(new EndpointDefinition(new EndpointSpec("box-3", SERVICE, Map.of()), "netconf", box));
        EnsmSettings settings = new EnsmSettings(NAME, new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:1", null,
                dir.resolve("data"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(2), Duration.ofHours(1), 1500,
                6000, 6999, services, endpoints, "bridge", Map.of("local-ip", ENSM_UNDERLAY, "netns", ensm), List.of(), null,
                OrphanPolicy.SWEEP, null);
        runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub nsm() {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /** Requests the segment for a client, then builds the client's VXLAN end from the reply, as its NSM forwarder would. */
    private void join(Client c) {
        c.reply = nsm().request(Requests.request().service(SERVICE).expires(Instant.now().plus(Duration.ofMinutes(10)))
                .mechanisms(Requests.vxlan(c.underlay, 4789)).build());
        var m = c.reply.getMechanism().getParametersMap();
        assertThat(m).containsEntry("dst_ip", ENSM_UNDERLAY);
        assertThat(c.reply.getContext().getIpContext().getDstIpAddrsList()).containsExactly(GATEWAY + "/24");
        c.address = c.reply.getContext().getIpContext().getSrcIpAddrs(0);
        assertThat(c.address).endsWith("/24");
        Cmd.run("ip", "-n", c.ns, "link", "add", "vx0", "mtu", Integer.toString(c.reply.getContext().getMTU()), "type", "vxlan",
                "id", m.get("vni"), "remote", m.get("dst_ip"), "local", c.underlay, "dstport", m.get("dst_port"));
        Cmd.run("ip", "-n", c.ns, "addr", "add", c.address, "dev", "vx0");
        Cmd.run("ip", "-n", c.ns, "link", "set", "vx0", "up");
    }

    private void leave(Client c) {
        nsm().close(c.reply);
    }

    private static boolean ping(String fromNs, String ip) {
        return Cmd.inNetns(fromNs, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-q", ip).ok();
    }

    private static String ip(Client c) {
        return c.address.substring(0, c.address.indexOf('/'));
    }

    private void everyoneReachesEveryone(List<Client> on) {
        for (Client from : on) {
            assertThat(ping(from.ns, GATEWAY)).as("%s to the gateway", from.ns).isTrue();
            for (Client to : on) {
                if (to != from) {
                    assertThat(ping(from.ns, ip(to))).as("%s to %s", from.ns, to.ns).isTrue();
                }
            }
        }
    }

    private NetconfBackend backend() {
        return (NetconfBackend) EnsmMeters.unwrap(runtime.catalog().endpoints().iterator().next().backend());
    }

    /** The segment's sub-interface as the box holds it (read with OpenSSH), or null. */
    private TestSubInterfaceCodec.Found onBox() {
        return TestSubInterfaceCodec.parse(bed.independentInterfaces(DEVICE)).get(SUB);
    }

    /** Aliases of ensm's marked links in its namespace. */
    private List<String> marked() {
        List<String> aliases = new ArrayList<>();
        Matcher m = ALIAS.matcher(Cmd.run("ip", "-n", ensm, "-d", "-o", "link", "show"));
        while (m.find()) {
            aliases.add(m.group(1));
        }
        return aliases;
    }

    private List<String> markedAfterDeletions() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left = marked();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = marked();
        }
        return left;
    }

    @Test
    void threeClientsOnOneSegmentReachTheGatewayAndEachOtherThroughOneBridgeAndOneSubInterface() throws Exception {
        List<Client> clients = List.of(client(1), client(2), client(3));
        start();
        long editsAtStart = backend().edits();

        for (Client c : clients) {
            join(c);
        }
        assertThat(backend().edits() - editsAtStart).as("edit-configs for three joins").isEqualTo(1);
        var sub = onBox();
        assertThat(sub).as("the segment's sub-interface on the box").isNotNull();
        assertThat(sub.vlan()).isEqualTo(Integer.toString(VLAN));
        assertThat(sub.description()).isEqualTo("ensm@" + NAME + ":segment." + SERVICE);
        assertThat(sub.ipv4()).isEqualTo(GATEWAY);
        assertThat(marked()).as("one bridge for the segment, one tunnel per client")
                .containsOnlyOnce("ensm@" + NAME + ":segment." + SERVICE).hasSize(1 + clients.size());
        assertThat(Cmd.run("ip", "-n", ensm, "-d", "link", "show", "up0")).as("the uplink is a port of the segment's bridge")
                .contains("master ensb");

        everyoneReachesEveryone(clients);

        leave(clients.getFirst());
        List<Client> staying = clients.subList(1, 3);
        everyoneReachesEveryone(staying);
        assertThat(ping(clients.getFirst().ns, GATEWAY)).as("the client that left is cut off").isFalse();
        assertThat(onBox()).as("the sub-interface stays while the segment has connections").isNotNull();

        leave(staying.getFirst());
        assertThat(ping(staying.getLast().ns, GATEWAY)).isTrue();
        leave(staying.getLast());
        assertThat(backend().edits() - editsAtStart).as("edit-configs for three joins and three leaves").isEqualTo(2);
        assertThat(onBox()).as("the sub-interface goes with the last leave").isNull();
        assertThat(markedAfterDeletions()).as("ensm's bridge and tunnels go with the last leave").isEmpty();
        assertThat(Cmd.run("ip", "-n", ensm, "-d", "link", "show", "up0")).as("the uplink stays, released").doesNotContain("master");
        assertThat(runtime.connections().all()).isEmpty();
    }

    @Test
    void aSegmentBridgeDeletedWhileEnsmWasDownIsRepairedAtStartAndASegmentWithoutConnectionsIsSwept() throws Exception {
        List<Client> clients = List.of(client(1), client(2));
        start();
        clients.forEach(this::join);
        everyoneReachesEveryone(clients);
        stop();
        assertThat(ping(clients.getFirst().ns, GATEWAY)).as("traffic flows while ensm is down").isTrue();

        Attachment uplink = new Attachment.Untagged("up0");
        String bridge = LinkNames.ofSegment(new Owner(NAME), "segment." + SERVICE, uplink.kind() + " " + uplink.parameters()).bridge();
        Cmd.run("ip", "-n", ensm, "link", "del", bridge);
        // A segment of a service with no connection left, as a crash or a restored store leaves it.
        Cmd.run("ip", "-n", ensm, "link", "add", "ensbseggone0000", "type", "bridge");
        Cmd.run("ip", "-n", ensm, "link", "set", "ensbseggone0000", "alias", "ensm@" + NAME + ":segment.gone");

        start();
        Reconciler.Report r = runtime.recovery();
        assertThat(r.loaded()).isEqualTo(2);
        assertThat(r.repaired()).as("both members found their bridge gone").isEqualTo(2);
        assertThat(r.orphansRemoved()).isEqualTo(1);
        assertThat(Cmd.run("ip", "-n", ensm, "-o", "link", "show")).contains(bridge).doesNotContain("ensbseggone0000");
        clients.forEach(c -> Cmd.run("ip", "-n", c.ns, "neigh", "flush", "all"));
        everyoneReachesEveryone(clients);
        assertThat(onBox()).isNotNull();

        clients.forEach(this::leave);
        assertThat(onBox()).isNull();
        assertThat(markedAfterDeletions()).isEmpty();
    }
}
