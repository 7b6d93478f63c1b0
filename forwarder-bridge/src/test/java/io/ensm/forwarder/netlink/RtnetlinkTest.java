package io.ensm.forwarder.netlink;

import io.ensm.core.testing.Cmd;
import io.ensm.forwarder.testbed.KernelTestBed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rtnetlink client against the real kernel, cross-checked with iproute2's view. */
@Tag("kernel")
class RtnetlinkTest {
    @RegisterExtension
    final KernelTestBed bed = new KernelTestBed();

    private String ns;

    @BeforeEach
    void namespace() {
        ns = bed.namespace("nl");
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void createsInspectsAndDeletesBridgeVxlanAndVeth() throws Exception {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            Links links = nl.links();
            links.create(new NewLink("tbr0", new LinkKind.Bridge(), 1450, 0, true));
            Link br = links.get("tbr0").orElseThrow();
            assertThat(br.kind()).isEqualTo("bridge");
            assertThat(br.mtu()).isEqualTo(1450);
            assertThat(br.up()).isTrue();

            links.create(new NewLink("tvx0", new LinkKind.Vxlan(4242, ip("198.51.100.7"), ip("198.51.100.1"), 4790, true), 1450, br.index(), true));
            Link vx = links.get("tvx0").orElseThrow();
            assertThat(vx.vxlan()).isEqualTo(new Link.Vxlan(4242, ip("198.51.100.7"), ip("198.51.100.1"), 4790, true));
            assertThat(vx.master()).isEqualTo(br.index());
            links.change(vx.index(), new Links.Change().alias("ensm:test-1"), "alias");
            assertThat(links.get(vx.index()).orElseThrow().alias()).isEqualTo("ensm:test-1");

            links.create(new NewLink("tve0", new LinkKind.Veth("tve1", -1, 1400), 1400, br.index(), true));
            links.change(links.get("tve1").orElseThrow().index(), new Links.Change().up(true), "peer up");
            Link veth = links.get("tve0").orElseThrow();
            Link peer = links.get("tve1").orElseThrow();
            assertThat(veth.parent()).isEqualTo(peer.index());
            assertThat(peer.up()).isTrue();
            assertThat(peer.mtu()).isEqualTo(1400);

            String shown = Cmd.run("ip", "-n", ns, "-d", "link", "show", "tvx0");
            assertThat(shown).contains("vxlan id 4242 remote 198.51.100.7 local 198.51.100.1").contains("dstport 4790")
                    .contains("master tbr0").contains("alias ensm:test-1");

            assertThat(links.list()).extracting(Link::name).contains("lo", "tbr0", "tvx0", "tve0", "tve1");
            assertThat(links.delete(veth.index(), "tve0")).isTrue();
            assertThat(links.get("tve1")).as("a veth's peer goes with it").isEmpty();
            assertThat(links.delete(veth.index(), "tve0")).as("already gone").isFalse();
            assertThat(links.get("nothere")).isEmpty();
        }
    }

    @Test
    void vethPeerIsCreatedDirectlyInAnotherNamespace() {
        String other = bed.namespace("peer");
        try (Rtnetlink nl = Rtnetlink.openIn(ns); Rtnetlink there = Rtnetlink.openIn(other)) {
            int fd = NetworkNamespace.open(other);
            try {
                nl.links().create(new NewLink("tve0", new LinkKind.Veth("inside0", fd, 0), 0, 0, true));
            } finally {
                NetworkNamespace.closeHandle(fd);
            }
            assertThat(nl.links().get("inside0")).isEmpty();
            Link inside = there.links().get("inside0").orElseThrow();
            there.links().change(inside.index(), new Links.Change().up(true).alias("ensm:x"), "peer up");
            assertThat(there.links().get("inside0").orElseThrow().up()).isTrue();
            assertThat(Cmd.run("ip", "-n", other, "link", "show", "inside0")).contains("inside0@");
        }
    }

    @Test
    void aDeviceGroupIsSetReadAndDeletedInOneRequestLeavingOtherLinks() {
        String other = bed.namespace("grp");
        try (Rtnetlink nl = Rtnetlink.openIn(ns); Rtnetlink there = Rtnetlink.openIn(other)) {
            Links links = nl.links();
            Link br = links.create(new NewLink("tgb0", new LinkKind.Bridge(), 0, 0, false));
            Link keep = links.create(new NewLink("tgk0", new LinkKind.Bridge(), 0, 0, false));
            int fd = NetworkNamespace.open(other);
            Link veth;
            try {
                veth = links.create(new NewLink("tgv0", new LinkKind.Veth("tgp0", fd, 0), 0, 0, false));
            } finally {
                NetworkNamespace.closeHandle(fd);
            }
            assertThat(keep.group()).as("the default group").isZero();
            links.change(br.index(), new Links.Change().group(0x656e0001), "group");
            links.change(veth.index(), new Links.Change().group(0x656e0001), "group");
            assertThat(links.get("tgb0").orElseThrow().group()).isEqualTo(0x656e0001);

            links.deleteGroup(0x656e0001);

            assertThat(links.get("tgb0")).isEmpty();
            assertThat(links.get("tgv0")).isEmpty();
            assertThat(there.links().get("tgp0")).as("the veth's peer goes with it").isEmpty();
            assertThat(links.get("tgk0")).as("a link of another group stays").isPresent();
            assertThatThrownBy(() -> links.deleteGroup(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void duplicateNameIsRefusedWithErrnoAndName() {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            nl.links().create(new NewLink("tbr0", new LinkKind.Bridge(), 0, 0, false));
            assertThatThrownBy(() -> nl.links().create(new NewLink("tbr0", new LinkKind.Bridge(), 0, 0, false)))
                    .isInstanceOf(NetlinkException.class)
                    .hasMessageContaining("create bridge link tbr0")
                    .hasMessageContaining("EEXIST")
                    .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.EEXIST));
        }
    }

    @Test
    void vniInUseCarriesTheKernelsExplanation() throws Exception {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            nl.links().create(new NewLink("tvx0", new LinkKind.Vxlan(77, ip("198.51.100.7"), ip("198.51.100.1"), 4789, false), 0, 0, false));
            assertThatThrownBy(() -> nl.links().create(
                    new NewLink("tvx1", new LinkKind.Vxlan(77, ip("198.51.100.8"), ip("198.51.100.1"), 4789, false), 0, 0, false)))
                    .isInstanceOf(NetlinkException.class)
                    .hasMessageContaining("EEXIST")
                    .hasMessageContaining("kernel says \"A VXLAN device with the specified VNI already exists");
        }
    }

    @Test
    void addressesAreAddedListedAndDeleted() throws Exception {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            nl.links().create(new NewLink("tve0", new LinkKind.Veth("tve1", -1, 0), 0, 0, true));
            int idx = nl.links().get("tve0").orElseThrow().index();
            nl.addresses().add(new Address(idx, ip("10.9.8.1"), 24));
            nl.addresses().add(new Address(idx, ip("fd00:9::1"), 64));
            assertThat(nl.addresses().list(idx)).contains(new Address(idx, ip("10.9.8.1"), 24), new Address(idx, ip("fd00:9::1"), 64));
            assertThat(Cmd.run("ip", "-n", ns, "addr", "show", "tve0")).contains("inet 10.9.8.1/24").contains("inet6 fd00:9::1/64");
            assertThat(nl.addresses().delete(new Address(idx, ip("10.9.8.1"), 24))).isTrue();
            assertThat(nl.addresses().delete(new Address(idx, ip("10.9.8.1"), 24))).isFalse();
            assertThat(Cmd.run("ip", "-n", ns, "addr", "show", "tve0")).doesNotContain("10.9.8.1");
        }
    }

    @Test
    void routesAreAddedListedAndDeleted() throws Exception {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            nl.links().create(new NewLink("tve0", new LinkKind.Veth("tve1", -1, 0), 0, 0, true));
            int idx = nl.links().get("tve0").orElseThrow().index();
            nl.addresses().add(new Address(idx, ip("10.9.8.1"), 24));
            Route viaGateway = new Route(ip("10.77.0.0"), 16, ip("10.9.8.254"), 0);
            Route direct = new Route(ip("10.78.0.0"), 24, null, idx);
            nl.routes().add(viaGateway);
            nl.routes().add(direct);
            assertThat(Cmd.run("ip", "-n", ns, "route")).contains("10.77.0.0/16 via 10.9.8.254 dev tve0")
                    .contains("10.78.0.0/24 dev tve0");
            assertThat(nl.routes().list()).contains(new Route(ip("10.77.0.0"), 16, ip("10.9.8.254"), idx), direct);
            assertThat(nl.routes().delete(viaGateway)).isTrue();
            assertThat(nl.routes().delete(viaGateway)).isFalse();
            assertThat(Cmd.run("ip", "-n", ns, "route")).doesNotContain("10.77.0.0");
        }
    }

    @Test
    void vxlanForwardingEntriesAndIpNeighboursAreAddedListedAndDeleted() throws Exception {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            nl.links().create(new NewLink("tvx0", new LinkKind.Vxlan(5, null, ip("198.51.100.1"), 4789, false), 0, 0, true));
            int vx = nl.links().get("tvx0").orElseThrow().index();
            Neighbour fdb = new Neighbour(vx, ip("198.51.100.9"), Neighbour.ALL_ZEROS_MAC, 4790);
            nl.neighbours().addFdb(fdb);
            assertThat(nl.neighbours().fdb(vx)).anySatisfy(n -> {
                assertThat(n.macText()).isEqualTo("00:00:00:00:00:00");
                assertThat(n.destination()).isEqualTo(ip("198.51.100.9"));
                assertThat(n.port()).isEqualTo(4790);
            });
            assertThat(Cmd.run("bridge", "-n", ns, "fdb", "show", "dev", "tvx0")).contains("00:00:00:00:00:00 dst 198.51.100.9 port 4790");
            assertThat(nl.neighbours().deleteFdb(fdb)).isTrue();
            assertThat(nl.neighbours().fdb(vx)).noneMatch(n -> n.port() == 4790);

            nl.links().create(new NewLink("tve0", new LinkKind.Veth("tve1", -1, 0), 0, 0, true));
            int idx = nl.links().get("tve0").orElseThrow().index();
            nl.addresses().add(new Address(idx, ip("10.9.8.1"), 24));
            byte[] mac = {0x02, 0, 0, 0, 0, 0x42};
            Neighbour arp = new Neighbour(idx, ip("10.9.8.42"), mac, 0);
            nl.neighbours().add(arp);
            assertThat(Cmd.run("ip", "-n", ns, "neigh", "show", "dev", "tve0")).contains("10.9.8.42 lladdr 02:00:00:00:00:42 PERMANENT");
            InetAddress target = ip("10.9.8.42");
            assertThat(nl.neighbours().list(idx)).anyMatch(n -> target.equals(n.destination()) && n.macText().equals("02:00:00:00:00:42"));
            assertThat(nl.neighbours().delete(arp)).isTrue();
            assertThat(nl.neighbours().delete(arp)).isFalse();
        }
    }

    @Test
    void socketSeesOnlyItsOwnNamespace() {
        String other = bed.namespace("other");
        try (Rtnetlink a = Rtnetlink.openIn(ns); Rtnetlink b = Rtnetlink.openIn(other)) {
            a.links().create(new NewLink("onlyhere", new LinkKind.Bridge(), 0, 0, false));
            assertThat(a.links().get("onlyhere")).isPresent();
            assertThat(b.links().get("onlyhere")).isEmpty();
            assertThat(a.where()).isEqualTo("network namespace '" + ns + "'");
        }
    }

    @Test
    void missingNamespaceIsNamed() {
        assertThatThrownBy(() -> Rtnetlink.openIn(KernelTestBed.PREFIX + "does-not-exist"))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("network namespace '" + KernelTestBed.PREFIX + "does-not-exist'")
                .hasMessageContaining("ENOENT");
    }
}
