package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Prerequisites;
import io.ensm.core.testing.Requests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover of VXLAN connections between replicas on hosts of their own: three replicas on etcd,
 * each with its bridge forwarder in its own network namespace and its own underlay address, and
 * three netconfd boxes on access uplinks (this kernel has no 802.1Q), one connection each from an
 * NSC node. When box-1's holder is killed, its successor keeps every connection on the boxes,
 * makes the connection's legs again in its own host, answers the NSC's refresh (as NSM's heal
 * sends it) with its own VXLAN end and the same VNI, and packets from the NSC reach box-1's
 * network through it. The hosts' links are read with iproute2, the boxes through OpenSSH.
 */
@Tag("netconf-testbed")
@Tag("etcd-testbed")
@Tag("kernel")
class ReplicaLegsFailoverTest {
    private static final List<String> REPLICAS = ReplicaBed.REPLICAS;
    private static final List<String> BOXES = ReplicaBed.BOXES;

    @TempDir
    Path dir;
    private ReplicaHosts hosts;
    private ReplicaBed bed;
    /** box-1's address on the connection (the endpoint's), standing in box-1's network. */
    private String boxAddress;

    @BeforeEach
    void prerequisites() {
        Prerequisites.here().requireRoot("(CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces");
        Prerequisites.here().requireCommand("ip", "iproute2; scripts/test installs it");
        Prerequisites.here().requireCommand("ping", "iputils-ping; scripts/test installs it");
    }

    @AfterEach
    void cleanUp() {
        try {
            if (bed != null) {
                bed.close();
            }
        } finally {
            if (hosts != null) {
                hosts.close();
                assertThat(hosts.leftovers()).as("namespaces deleted").isEmpty();
            }
        }
    }

    private void startAll() {
        hosts = ReplicaHosts.create(REPLICAS, BOXES.size());
        bed = ReplicaBed.start(dir, "legs", 19100, p -> {
            for (int i = 0; i < BOXES.size(); i++) {
                // An access uplink carries one VLAN, untagged: one connection per box at a time.
                p.put("ensm.endpoints[" + i + "].backend.settings.uplink-mode", "access");
                p.put("ensm.endpoints[" + i + "].backend.settings.vlans", Integer.toString(3301 + i));
            }
        }, hosts::forwarder);
    }

    private NetworkServiceRequest request(String box) {
        return Requests.request().service(box + "-net").endpoint(box).mechanisms(Requests.vxlan(ReplicaHosts.NSC_UNDERLAY, 4789))
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build();
    }

    /** One connection as the NSC holds it: the replica that answered, the Request and the reply. */
    private record Held(String replica, NetworkServiceRequest request, Connection reply) {
        String id() {
            return Lab.ownId(reply);
        }

        Map<String, String> mechanism() {
            return reply.getMechanism().getParametersMap();
        }
    }

    /** Sends the Request to each replica in turn until one serves it (the others refuse naming the holder). */
    private Held connect(String box, List<String> among) {
        NetworkServiceRequest r = request(box);
        StatusRuntimeException last = null;
        for (String replica : among) {
            try {
                return new Held(replica, r, bed.ns(replica).request(r));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                last = e;
            }
        }
        throw new AssertionError("no replica of " + among + " served " + box, last);
    }

    private String url(String replica) {
        return "tcp://" + bed.replica(replica).target();
    }

    /** The replica the registry names for the box once it names exactly one of {@code among}. */
    private Optional<String> registeredHolder(String box, List<String> among) {
        List<String> urls = bed.registeredUrls(box);
        return urls.size() == 1 ? among.stream().filter(r -> url(r).equals(urls.getFirst())).findFirst() : Optional.empty();
    }

    /** The NSC node's end of a connection: a VXLAN device towards ensm's end with the client's address. */
    private void nscEnd(Held c) {
        Map<String, String> m = c.mechanism();
        String ns = hosts.nsc();
        boxAddress = bare(c.reply().getContext().getIpContext().getDstIpAddrs(0));
        Cmd.run("ip", "-n", ns, "link", "add", "vx0", "mtu", Integer.toString(c.reply().getContext().getMTU()), "type", "vxlan",
                "id", m.get("vni"), "remote", m.get("dst_ip"), "local", ReplicaHosts.NSC_UNDERLAY, "dstport", m.get("dst_port"));
        Cmd.run("ip", "-n", ns, "addr", "add", c.reply().getContext().getIpContext().getSrcIpAddrs(0), "dev", "vx0");
        Cmd.run("ip", "-n", ns, "link", "set", "vx0", "up");
        Cmd.run("ip", "-n", ns, "route", "replace", boxAddress + "/32", "dev", "vx0");
        // The box's side of its access port: the endpoint's address, routed back to the client.
        String net = hosts.network();
        String client = c.reply().getContext().getIpContext().getSrcIpAddrs(0);
        Cmd.run("ip", "-n", net, "addr", "replace", boxAddress + "/32", "dev", "net");
        Cmd.run("ip", "-n", net, "route", "replace", bare(client) + "/32", "dev", "net");
    }

    private static String bare(String prefix) {
        return prefix.substring(0, prefix.indexOf('/'));
    }

    /** What NSM's forwarder on the NSC node does with a healed connection's new far end. */
    private void nscRemote(String dstIp) {
        Cmd.run("ip", "-n", hosts.nsc(), "link", "set", "vx0", "type", "vxlan", "remote", dstIp);
    }

    private boolean nscReachesBox() {
        return Cmd.inNetns(hosts.nsc(), "ping", "-c", "2", "-i", "0.2", "-W", "2", "-q", boxAddress).ok();
    }

    @Test
    void theSuccessorMakesTheLegsAgainInItsOwnHostAndAnswersTheRefreshWithItsOwnVxlanEnd() throws Exception {
        startAll();
        bed.settle(); // the holders found below keep their boxes until the kill

        Map<String, Held> held = new LinkedHashMap<>();
        for (String box : BOXES) {
            held.put(box, connect(box, REPLICAS));
        }
        Held one = held.get("box-1");
        String owner = one.replica();
        for (Held c : held.values()) {
            assertThat(c.mechanism()).as("VXLAN ends on the host of %s, which answered", c.replica())
                    .containsEntry("dst_ip", hosts.underlay(c.replica()));
            ReplicaHosts.Vxlan tunnel = hosts.tunnel(c.replica(), c.id())
                    .orElseThrow(() -> new AssertionError("no VXLAN leg of " + c.id() + " in the host of " + c.replica()));
            assertThat(tunnel).isEqualTo(new ReplicaHosts.Vxlan(Integer.parseInt(c.mechanism().get("vni")), ReplicaHosts.NSC_UNDERLAY,
                    hosts.underlay(c.replica())));
        }
        assertThat(bed.markedIds()).as("one connection on each box")
                .containsExactlyInAnyOrderElementsOf(held.values().stream().map(Held::id).toList());
        Map<String, Map<String, NetconfBox.Sub>> before = new LinkedHashMap<>();
        for (int i = 0; i < BOXES.size(); i++) {
            before.put(BOXES.get(i), bed.box(i).marked());
        }
        nscEnd(one);
        assertThat(nscReachesBox()).as("the NSC reaches box-1 through %s", owner).isTrue();

        bed.replica(owner).kill();
        hosts.unplug(owner);
        List<String> others = REPLICAS.stream().filter(r -> !r.equals(owner)).toList();
        assertThat(ReplicaBed.waitFor(ReplicaBed.LEASE_TTL.plusSeconds(15), () -> registeredHolder("box-1", others).isPresent()))
                .as("the registry names a successor for box-1; it has %s", bed.registeredUrls("box-1")).isTrue();
        String taker = registeredHolder("box-1", others).orElseThrow();

        for (int i = 0; i < BOXES.size(); i++) {
            assertThat(bed.box(i).marked()).as("%s kept its connection, as it was", BOXES.get(i)).isEqualTo(before.get(BOXES.get(i)));
        }
        for (String r : others) {
            assertThat(bed.replica(r).log()).as("nothing torn down by %s", r)
                    .doesNotContain("event=connection-rolled-back").doesNotContain("event=orphans-removed endpoint=");
        }
        assertThat(hosts.legs(taker, one.id())).as("the successor's own host has the connection's legs")
                .extracting(ReplicaHosts.Leg::mark).allMatch(m -> m.endsWith(":" + one.id())).isNotEmpty();
        assertThat(hosts.tunnel(taker, one.id())).as("its VXLAN end is the successor's underlay address, the VNI as before")
                .contains(new ReplicaHosts.Vxlan(Integer.parseInt(one.mechanism().get("vni")), ReplicaHosts.NSC_UNDERLAY,
                        hosts.underlay(taker)));

        Map<String, Connection> monitored = bed.monitored(taker);
        Connection shown = monitored.values().stream()
                .filter(x -> x.getPath().getPathSegmentsList().stream().anyMatch(s -> s.getId().equals(one.id()))).findFirst()
                .orElseThrow(() -> new AssertionError("the successor's MonitorConnections lacks " + one.id() + ": " + monitored.keySet()));
        assertThat(shown.getMechanism().getParametersMap())
                .as("the successor's MonitorConnections shows the end its host now terminates, before any refresh")
                .containsEntry("dst_ip", hosts.underlay(taker)).containsEntry("vni", one.mechanism().get("vni"));

        // NSM's heal: the NSC sends its last connection again, which reaches the new holder through the registry.
        Connection healed = bed.ns(taker).request(Requests.refreshOf(one.request(), one.reply(), Instant.now().plus(Duration.ofMinutes(10))));
        assertThat(Lab.ownId(healed)).isEqualTo(one.id());
        assertThat(healed.getMechanism().getParametersMap()).as("the successor's VXLAN end, the same VNI")
                .containsEntry("dst_ip", hosts.underlay(taker))
                .containsEntry("vni", one.mechanism().get("vni"))
                .containsEntry("dst_port", one.mechanism().get("dst_port"));
        assertThat(bed.box(0).marked()).as("the refresh changed nothing on the box").isEqualTo(before.get("box-1"));
        nscRemote(healed.getMechanism().getParametersOrThrow("dst_ip"));
        assertThat(nscReachesBox()).as("the NSC reaches box-1 through %s after the failover", taker).isTrue();

        // The connections of the boxes whose holders live kept their legs where they were.
        for (Held c : held.values()) {
            if (!c.replica().equals(owner)) {
                assertThat(hosts.tunnel(c.replica(), c.id())).as("%s's leg in the host of %s", c.id(), c.replica()).isPresent();
            }
        }

        bed.ns(taker).close(healed);
        assertThat(ReplicaBed.waitFor(Duration.ofSeconds(10), () -> hosts.legs(taker, one.id()).isEmpty()))
                .as("the Close removed the legs from the successor's host: %s", hosts.legs(taker, one.id())).isTrue();
        assertThat(bed.box(0).marked()).as("and the connection from box-1").isEmpty();
        assertThat(bed.storedIds()).doesNotContain(one.id());
        System.out.printf("replica legs failover: %s killed, %s holds box-1 with its legs; VXLAN end %s -> %s, VNI %s kept%n",
                owner, taker, one.mechanism().get("dst_ip"), healed.getMechanism().getParametersOrThrow("dst_ip"),
                one.mechanism().get("vni"));
    }
}
