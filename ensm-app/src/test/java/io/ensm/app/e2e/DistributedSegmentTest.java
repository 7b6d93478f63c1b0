package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Contexts;
import io.ensm.core.testing.Prerequisites;
import io.ensm.core.testing.Requests;
import io.ensm.netconf.backend.NetconfBackendProvider;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A distributed bridge domain: two ensm instances (two whole runtimes, each with its own store,
 * gRPC server, bridge forwarder in its own namespace and netconf box) serve the same segment, and
 * their access uplinks meet in an "sdn" namespace whose bridge stands for the SDN's layer-2 domain
 * of the network; the gateway address sits there too, standing for the fabric's gateway. Each box
 * gets the segment's sub-interface (the VLAN mapped onto the network, the gateway address), read
 * with OpenSSH.
 * <pre>
 *   a1, a2 --underlay-- ensm-1 (forwarder) --up0 == leaf1--+
 *                                                           sdn: bridge "fabric", gateway 10.81.0.1/24
 *   b1     --underlay-- ensm-2 (forwarder) --up0 == leaf2--+
 * </pre>
 * Both instances hand out addresses from the same subnet on their own: as NSM's excluded prefixes
 * would in the second cluster, b1's request excludes the half of the subnet ensm-1 serves.
 */
@Tag("netconf-testbed")
@Tag("kernel")
class DistributedSegmentTest {
    private static final String SERVICE = "lan";
    private static final String PORT = "eth1";
    private static final int VLAN = 3696;
    private static final String CIDR = "10.81.0.0/24";
    private static final String FIRST_HALF = "10.81.0.0/25";
    private static final String GATEWAY = "10.81.0.1";

    @TempDir
    Path dir;

    private NetconfTestbed bed;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Ensm> instances = new ArrayList<>();
    private String sdn;

    /** One ensm instance: its namespace and underlay address, its box, and once started its runtime. */
    private final class Ensm {
        final String name;
        final String ns;
        final String underlay;
        final int device;
        int clients;
        EnsmRuntime runtime;
        ManagedChannel channel;

        Ensm(int i, String run) {
            this.name = "ensm-seg-dist-" + i;
            this.ns = namespace(run + "-e" + i);
            this.underlay = "192.168.8" + i + ".2";
            this.device = i;
            Cmd.run("ip", "-n", ns, "link", "add", "ulbr", "type", "bridge");
            Cmd.run("ip", "-n", ns, "addr", "add", underlay + "/24", "dev", "ulbr");
            Cmd.run("ip", "-n", ns, "link", "set", "ulbr", "up");
            // The access uplink: the box maps it onto the network's VLAN, the SDN carries it to every leaf.
            Cmd.run("ip", "-n", ns, "link", "add", "up0", "type", "veth", "peer", "name", "leaf" + i, "netns", sdn);
            Cmd.run("ip", "-n", sdn, "link", "set", "leaf" + i, "master", "fabric", "up");
        }

        Client client(String label) {
            clients++;
            Client c = new Client(this, namespace(ns.replace("-e" + device, "-" + label)), underlay.replaceFirst("\\.2$", ".1" + clients));
            Cmd.run("ip", "-n", c.ns, "link", "add", "ul0", "type", "veth", "peer", "name", "ul" + clients, "netns", ns);
            Cmd.run("ip", "-n", c.ns, "addr", "add", c.underlay + "/24", "dev", "ul0");
            Cmd.run("ip", "-n", c.ns, "link", "set", "ul0", "up");
            Cmd.run("ip", "-n", ns, "link", "set", "ul" + clients, "master", "ulbr", "up");
            return c;
        }

        Map<String, String> boxSettings() {
            NetconfTestbed.Device d = bed.device(device);
            Map<String, String> box = new HashMap<>();
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

        EndpointSpec endpoint() {
            return new EndpointSpec("leaf-" + device, SERVICE, Map.of());
        }

        void start() {
            List<ServiceSpec> services = List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of(CIDR), List.of(),
                    new Segment(List.of(GATEWAY), List.of("0.0.0.0/0"), 0)));
            EnsmSettings settings = new EnsmSettings(name, new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:1", null,
                    dir.resolve(name), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(2), Duration.ofHours(1), 1500,
                    6000, 6999, services, List.of(new EndpointDefinition(endpoint(), "netconf", boxSettings())), "bridge",
                    Map.of("local-ip", underlay, "netns", ns), List.of(), null, OrphanPolicy.SWEEP, null);
            runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        }

        void stop() throws InterruptedException {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (runtime != null) {
                runtime.close();
            }
        }

        NetworkServiceGrpc.NetworkServiceBlockingStub nsm() {
            return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        }

        /** The segment's sub-interface as this instance's box holds it (read with OpenSSH), or null. */
        TestSubInterfaceCodec.Found onBox() {
            return TestSubInterfaceCodec.parse(bed.independentInterfaces(device)).get(PORT + "." + VLAN);
        }

        /** Removes what this instance's owner left marked on its box, whatever a failed test's store said. */
        void sweepBox() {
            Backend b = new NetconfBackendProvider().create(Contexts.backend(endpoint(), boxSettings(), new Owner(name)));
            try {
                b.removeOrphans(id -> false);
            } catch (BackendException e) {
                throw new AssertionError("clean-up of box " + device + " failed", e);
            } finally {
                b.close();
            }
        }

        String uplinkDetails() {
            return Cmd.run("ip", "-n", ns, "-d", "link", "show", "up0");
        }
    }

    /** A client namespace behind one ensm instance, standing for an NSM forwarder's VXLAN end on its node. */
    private static final class Client {
        final Ensm ensm;
        final String ns;
        final String underlay;
        Connection reply;
        String address;

        Client(Ensm ensm, String ns, String underlay) {
            this.ensm = ensm;
            this.ns = ns;
            this.underlay = underlay;
        }

        String ip() {
            return address.substring(0, address.indexOf('/'));
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
        String run = "ensmd-" + HexFormat.of().formatHex(r);
        sdn = namespace(run + "-sdn");
        Cmd.run("ip", "-n", sdn, "link", "add", "fabric", "type", "bridge");
        Cmd.run("ip", "-n", sdn, "addr", "add", GATEWAY + "/24", "dev", "fabric");
        Cmd.run("ip", "-n", sdn, "link", "set", "fabric", "up");
        instances.add(new Ensm(1, run));
        instances.add(new Ensm(2, run));
    }

    private String namespace(String name) {
        Cmd.run("ip", "netns", "add", name);
        namespaces.add(name);
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Ensm e : instances) {
            e.stop();
        }
        if (bed != null) {
            instances.forEach(Ensm::sweepBox);
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

    /** Requests the segment from the client's ensm, then builds the client's VXLAN end from the reply. */
    private static void join(Client c, String... excluded) {
        c.reply = c.ensm.nsm().request(Requests.request().service(SERVICE).expires(Instant.now().plus(Duration.ofMinutes(10)))
                .mechanisms(Requests.vxlan(c.underlay, 4789)).excluded(excluded).build());
        var m = c.reply.getMechanism().getParametersMap();
        assertThat(m).containsEntry("dst_ip", c.ensm.underlay);
        assertThat(c.reply.getContext().getIpContext().getDstIpAddrsList()).containsExactly(GATEWAY + "/24");
        c.address = c.reply.getContext().getIpContext().getSrcIpAddrs(0);
        Cmd.run("ip", "-n", c.ns, "link", "add", "vx0", "mtu", Integer.toString(c.reply.getContext().getMTU()), "type", "vxlan",
                "id", m.get("vni"), "remote", m.get("dst_ip"), "local", c.underlay, "dstport", m.get("dst_port"));
        Cmd.run("ip", "-n", c.ns, "addr", "add", c.address, "dev", "vx0");
        Cmd.run("ip", "-n", c.ns, "link", "set", "vx0", "up");
    }

    private static void leave(Client c) {
        c.ensm.nsm().close(c.reply);
    }

    private static boolean ping(String fromNs, String ip) {
        return Cmd.inNetns(fromNs, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-q", ip).ok();
    }

    private static void everyoneReachesEveryone(List<Client> on) {
        for (Client from : on) {
            assertThat(ping(from.ns, GATEWAY)).as("%s to the gateway", from.ns).isTrue();
            for (Client to : on) {
                if (to != from) {
                    assertThat(ping(from.ns, to.ip())).as("%s (%s) to %s (%s)", from.ns, from.ensm.name, to.ns, to.ensm.name).isTrue();
                }
            }
        }
    }

    @Test
    void clientsBehindTwoEnsmInstancesReachEachOtherAndTheGatewayThroughTheSdnUntilEachLeaves() throws Exception {
        Ensm one = instances.get(0);
        Ensm two = instances.get(1);
        Client a1 = one.client("a1");
        Client a2 = one.client("a2");
        Client b1 = two.client("b1");
        one.start();
        two.start();

        join(a1);
        join(a2);
        // Why the split: on its own, ensm-2 hands out the address ensm-1 gave a1 (the README's limit).
        Connection unsplit = two.nsm().request(Requests.request().service(SERVICE).expires(Instant.now().plus(Duration.ofMinutes(10)))
                .mechanisms(Requests.vxlan(b1.underlay, 4789)).build());
        assertThat(unsplit.getContext().getIpContext().getSrcIpAddrsList()).containsExactly(a1.address);
        two.nsm().close(unsplit);
        join(b1, FIRST_HALF);
        assertThat(List.of(a1.address, a2.address, b1.address)).as("one subnet, no address twice")
                .allMatch(a -> a.startsWith("10.81.0.") && a.endsWith("/24")).doesNotHaveDuplicates();
        for (Ensm e : instances) {
            var sub = e.onBox();
            assertThat(sub).as("the segment's sub-interface on %s's box", e.name).isNotNull();
            assertThat(sub.vlan()).isEqualTo(Integer.toString(VLAN));
            assertThat(sub.ipv4()).isEqualTo(GATEWAY);
            assertThat(sub.description()).isEqualTo("ensm@" + e.name + ":segment." + SERVICE);
            assertThat(e.uplinkDetails()).as("%s's uplink is a port of its segment bridge", e.name).contains("master ensb");
        }

        everyoneReachesEveryone(List.of(a1, a2, b1));

        leave(a1);
        assertThat(ping(a1.ns, GATEWAY)).as("the client that left is cut off").isFalse();
        everyoneReachesEveryone(List.of(a2, b1));

        // ensm-1's last client leaves: its side of the segment goes, ensm-2's keeps working.
        leave(a2);
        assertThat(one.onBox()).as("ensm-1's sub-interface goes with its last client").isNull();
        assertThat(ping(a2.ns, b1.ip())).isFalse();
        assertThat(two.onBox()).isNotNull();
        assertThat(ping(b1.ns, GATEWAY)).as("b1 to the gateway after ensm-1's side left").isTrue();

        // ...and comes back with its next client, who reaches b1 again.
        Client a3 = one.client("a3");
        join(a3);
        assertThat(a3.address).isNotEqualTo(b1.address);
        everyoneReachesEveryone(List.of(a3, b1));

        leave(b1);
        assertThat(two.onBox()).as("ensm-2's sub-interface goes with its last client").isNull();
        assertThat(ping(a3.ns, GATEWAY)).as("a3 to the gateway after ensm-2's side left").isTrue();
        leave(a3);
        assertThat(one.onBox()).isNull();
        for (Ensm e : instances) {
            assertThat(e.runtime.connections().all()).isEmpty();
        }
    }
}
