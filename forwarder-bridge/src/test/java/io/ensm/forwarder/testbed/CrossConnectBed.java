package io.ensm.forwarder.testbed;

import io.ensm.core.spi.Owner;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Contexts;

import io.ensm.forwarder.bridge.BridgeForwarder;
import io.ensm.forwarder.bridge.BridgeForwarderProvider;
import io.ensm.forwarder.bridge.BridgeSettings;
import io.ensm.forwarder.bridge.LinkNames;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.Rtnetlink;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The three namespaces of the forwarder tests, joined by an underlay veth between "node" and
 * "ensm":
 * <pre>
 *   node (192.168.77.1, VXLAN vx0 10.60.0.1/24)  --underlay--  ensm (192.168.77.2, the forwarder)
 *                                                              ensm -- attachment -- attach (10.60.0.2/24)
 * </pre>
 * The node's VXLAN end is made with iproute2, as an NSM forwarder on a cluster node would make it.
 */
public final class CrossConnectBed {
    public static final String NODE_UNDERLAY = "192.168.77.1";
    public static final String ENSM_UNDERLAY = "192.168.77.2";
    public static final String NODE_INNER = "10.60.0.1";
    public static final String ATTACH_INNER = "10.60.0.2";
    public static final int UNDERLAY_MTU = 1500;

    public final String node;
    public final String ensm;
    public final String attach;

    public CrossConnectBed(KernelTestBed bed) {
        node = bed.namespace("node");
        ensm = bed.namespace("ensm");
        attach = bed.namespace("attach");
        Cmd.run("ip", "-n", node, "link", "add", "ul0", "mtu", Integer.toString(UNDERLAY_MTU), "type", "veth", "peer", "name", "ul0",
                "netns", ensm, "mtu", Integer.toString(UNDERLAY_MTU));
        Cmd.run("ip", "-n", node, "addr", "add", NODE_UNDERLAY + "/24", "dev", "ul0");
        Cmd.run("ip", "-n", ensm, "addr", "add", ENSM_UNDERLAY + "/24", "dev", "ul0");
        Cmd.run("ip", "-n", node, "link", "set", "ul0", "up");
        Cmd.run("ip", "-n", ensm, "link", "set", "ul0", "up");
    }

    /** The node's VXLAN end towards ensm, listening on {@code localPort}, sending to ensm on {@code ensmPort}. */
    public void nodeVxlan(int vni, int localPort, int ensmPort) {
        if (localPort == ensmPort) {
            Cmd.run("ip", "-n", node, "link", "add", "vx0", "mtu", "1450", "type", "vxlan", "id", Integer.toString(vni), "remote",
                    ENSM_UNDERLAY, "local", NODE_UNDERLAY, "dstport", Integer.toString(localPort));
        } else {
            // Without learning: a learned entry would send to ensm on the node's own port.
            Cmd.run("ip", "-n", node, "link", "add", "vx0", "mtu", "1450", "type", "vxlan", "id", Integer.toString(vni), "local",
                    NODE_UNDERLAY, "dstport", Integer.toString(localPort), "nolearning");
            Cmd.run("bridge", "-n", node, "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", ENSM_UNDERLAY, "port",
                    Integer.toString(ensmPort));
        }
        Cmd.run("ip", "-n", node, "addr", "add", NODE_INNER + "/24", "dev", "vx0");
        Cmd.run("ip", "-n", node, "link", "set", "vx0", "up");
    }

    /** A veth from ensm's namespace ({@code ensmSide}) to the attachment namespace (eth0 with the inner address): the "box port". */
    public void untaggedPort(String ensmSide) {
        Cmd.run("ip", "-n", ensm, "link", "add", ensmSide, "type", "veth", "peer", "name", "eth0", "netns", attach);
        Cmd.run("ip", "-n", attach, "addr", "add", ATTACH_INNER + "/24", "dev", "eth0");
        Cmd.run("ip", "-n", attach, "link", "set", "eth0", "up");
    }

    /** Gives the attachment namespace's interface the inner address (for namespace attachments, after connect made it). */
    public void attachAddress(String ifname) {
        Cmd.run("ip", "-n", attach, "addr", "add", ATTACH_INNER + "/24", "dev", ifname);
    }

    public BridgeForwarder forwarder() {
        return forwarder(Map.of());
    }

    public BridgeForwarder forwarder(Map<String, String> extra) {
        return forwarder(extra, Contexts.OWNER);
    }

    /** A forwarder in ensm's namespace whose links carry {@code owner}'s mark. */
    public BridgeForwarder forwarder(Map<String, String> extra, Owner owner) {
        Map<String, String> s = new HashMap<>(Map.of(BridgeSettings.LOCAL_IP, ENSM_UNDERLAY, BridgeSettings.NETNS, ensm));
        s.putAll(extra);
        return (BridgeForwarder) new BridgeForwarderProvider().create(Contexts.forwarder("bridge", s, owner, Map.of()));
    }

    /** Flushes a namespace's neighbour cache. */
    public void forgetNeighbours(String ns) {
        Cmd.run("ip", "-n", ns, "neigh", "flush", "all");
    }

    /** Pings from {@code fromNs}; true when replies came back. */
    public static boolean ping(String fromNs, String ip) {
        return Cmd.inNetns(fromNs, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-q", ip).ok();
    }

    /** A ping with a payload that fills {@code mtu} exactly, not allowed to fragment. */
    public static boolean pingFullSize(String fromNs, String ip, int mtu) {
        return Cmd.inNetns(fromNs, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-q", "-M", "do", "-s", Integer.toString(mtu - 28), ip).ok();
    }

    /** Links in a namespace that carry ensm's mark. */
    public static List<Link> markedLinks(String ns) {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            return nl.links().list().stream().filter(l -> LinkNames.connectionIdOf(l.alias()).isPresent()).toList();
        }
    }

    /**
     * The marked links left once the forwarder's background deletions had up to {@code max} to
     * finish: Close answers when traffic has stopped, the kernel deletes the links after.
     */
    public static List<Link> markedLinksAfterDeletions(String ns, java.time.Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        List<Link> marked = markedLinks(ns);
        while (!marked.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            marked = markedLinks(ns);
        }
        return marked;
    }

    public static List<Link> links(String ns) {
        try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
            return nl.links().list();
        }
    }
}
