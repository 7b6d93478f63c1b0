package io.ensm.app.reliability;

import io.ensm.core.testing.Cmd;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each replica's host as a network namespace of its own, where its bridge forwarder works (the
 * forwarder's {@code netns} setting) with an underlay address of its own; an NSC node on the same
 * underlay, standing for the caller's forwarder; and box-1's data plane, the network its access
 * port is in, cabled to every host's {@code ens-up-1}. The other boxes' uplinks end in their host.
 * <pre>
 *   nsc 10.77.0.2 ---+--- ul0 10.77.0.11 host a  ens-up-1 ---+
 *                    +--- ul0 10.77.0.12 host b  ens-up-1 ---+--- box-1's network (bridge "net")
 *                    +--- ul0 10.77.0.13 host c  ens-up-1 ---+
 * </pre>
 */
final class ReplicaHosts implements AutoCloseable {
    static final String NSC_UNDERLAY = "10.77.0.2";
    private static final Pattern MARK = Pattern.compile("\\\\\\s+alias (ensm@\\S*:(\\S+))");
    private static final Pattern VXLAN = Pattern.compile("vxlan id (\\d+) remote (\\S+) local (\\S+)");

    private final String run;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, String> underlays = new LinkedHashMap<>();
    private final String switchNs;
    private final String nsc;
    private final String network;

    private ReplicaHosts() {
        byte[] r = new byte[3];
        ThreadLocalRandom.current().nextBytes(r);
        run = "ensm-fo-" + HexFormat.of().formatHex(r);
        switchNs = newNamespace("ul");
        bridge(switchNs, "ul");
        network = newNamespace("net");
        bridge(network, "net");
        nsc = newNamespace("nsc");
        cable(nsc, "ul0", switchNs, "nsc", "ul");
        Cmd.run("ip", "-n", nsc, "addr", "add", NSC_UNDERLAY + "/24", "dev", "ul0");
    }

    /** The hosts of {@code replicas}, their underlay addresses 10.77.0.11 and up; removed again if a step fails. */
    static ReplicaHosts create(List<String> replicas, int boxes) {
        ReplicaHosts hosts = new ReplicaHosts();
        try {
            for (int i = 0; i < replicas.size(); i++) {
                hosts.host(replicas.get(i), "10.77.0." + (11 + i), boxes);
            }
            return hosts;
        } catch (RuntimeException | Error e) {
            hosts.close();
            throw e;
        }
    }

    private void host(String replica, String underlay, int boxes) {
        String ns = newNamespace(replica);
        String tag = "h" + underlays.size();
        cable(ns, "ul0", switchNs, tag, "ul");
        Cmd.run("ip", "-n", ns, "addr", "add", underlay + "/24", "dev", "ul0");
        cable(ns, "ens-up-1", network, tag + "-up1", "net");
        for (int b = 2; b <= boxes; b++) {
            // Nothing behind the other boxes' access ports here: their uplinks end in the host.
            Cmd.run("ip", "-n", ns, "link", "add", "ens-up-" + b, "type", "veth", "peer", "name", "ens-dn-" + b);
            Cmd.run("ip", "-n", ns, "link", "set", "ens-dn-" + b, "up");
            Cmd.run("ip", "-n", ns, "link", "set", "ens-up-" + b, "up");
        }
        underlays.put(replica, underlay);
    }

    private String newNamespace(String role) {
        String name = run + "-" + role;
        Cmd.run("ip", "netns", "add", name);
        namespaces.add(name);
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    private static void bridge(String ns, String name) {
        Cmd.run("ip", "-n", ns, "link", "add", name, "type", "bridge");
        Cmd.run("ip", "-n", ns, "link", "set", name, "up");
    }

    /** A veth from {@code ns}'s {@code name} to a port {@code peer} of bridge {@code bridge} in {@code bridgeNs}. */
    private static void cable(String ns, String name, String bridgeNs, String peer, String bridge) {
        Cmd.run("ip", "-n", ns, "link", "add", name, "type", "veth", "peer", "name", peer, "netns", bridgeNs);
        Cmd.run("ip", "-n", bridgeNs, "link", "set", peer, "master", bridge, "up");
        Cmd.run("ip", "-n", ns, "link", "set", name, "up");
    }

    /** The replica's forwarder: the bridge forwarder in its host's namespace, VXLAN ending on its underlay address. */
    void forwarder(String replica, Map<String, String> settings) {
        settings.put("ensm.forwarder.type", "bridge");
        settings.put("ensm.forwarder.settings.local-ip", underlay(replica));
        settings.put("ensm.forwarder.settings.netns", namespace(replica));
    }

    String namespace(String replica) {
        return run + "-" + replica;
    }

    String underlay(String replica) {
        return underlays.get(replica);
    }

    String nsc() {
        return nsc;
    }

    /** The namespace of box-1's network (the far side of its access port). */
    String network() {
        return network;
    }

    /** A host going down with its replica: its cables go dark, so nothing still passes through the legs left in it. */
    void unplug(String replica) {
        Cmd.run("ip", "-n", namespace(replica), "link", "set", "ul0", "down");
        Cmd.run("ip", "-n", namespace(replica), "link", "set", "ens-up-1", "down");
    }

    /** One link ensm marked for a connection, as the kernel of a host shows it ({@code ip -d link}). */
    record Leg(String name, String mark, String details) {
        /** The VXLAN device's VNI, remote and local ends; empty for another kind of link. */
        java.util.Optional<Vxlan> vxlan() {
            Matcher m = VXLAN.matcher(details);
            return m.find() ? java.util.Optional.of(new Vxlan(Integer.parseInt(m.group(1)), m.group(2), m.group(3)))
                    : java.util.Optional.empty();
        }
    }

    record Vxlan(int vni, String remote, String local) {}

    /** The links in the replica's host marked for {@code connection}, read with iproute2. */
    List<Leg> legs(String replica, String connection) {
        List<Leg> out = new ArrayList<>();
        for (String line : Cmd.run("ip", "-n", namespace(replica), "-d", "-o", "link", "show").split("\n")) {
            Matcher m = MARK.matcher(line);
            if (m.find() && m.group(2).equals(connection)) {
                String name = line.split(":\\s+", 3)[1].replaceFirst("@.*", "");
                out.add(new Leg(name, m.group(1), line));
            }
        }
        return out;
    }

    /** The VXLAN device the replica's host has for the connection, or empty. */
    java.util.Optional<Vxlan> tunnel(String replica, String connection) {
        return legs(replica, connection).stream().flatMap(l -> l.vxlan().stream()).findFirst();
    }

    /** Namespaces of this run still present after {@link #close}. */
    List<String> leftovers() {
        String listed = Cmd.run("ip", "netns", "list");
        return namespaces.stream().filter(listed::contains).toList();
    }

    @Override
    public void close() {
        for (String ns : namespaces.reversed()) {
            Cmd.exec("ip", "netns", "del", ns);
        }
    }
}
