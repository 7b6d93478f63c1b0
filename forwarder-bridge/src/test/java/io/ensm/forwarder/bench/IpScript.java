package io.ensm.forwarder.bench;

import java.util.List;

/**
 * The iproute2 commands that build and remove the same cross-connect the forwarder makes
 * (bridge, veth into the attachment namespace, VXLAN, each marked with an alias and brought up),
 * as an operator's script would run them. Each entry is {namespace, ip arguments...}.
 */
final class IpScript {
    private IpScript() {}

    record Step(String netns, List<String> args) {}

    static List<Step> setup(String ensm, String attach, String id, String bridge, String veth, String peer, String vxlan,
                            int vni, String remote, String local, int mtu) {
        String m = Integer.toString(mtu);
        String alias = "ensm:" + id;
        return List.of(
                new Step(ensm, List.of("link", "add", bridge, "mtu", m, "type", "bridge")),
                new Step(ensm, List.of("link", "set", bridge, "alias", alias, "up")),
                new Step(ensm, List.of("link", "add", veth, "mtu", m, "master", bridge, "type", "veth", "peer", "name", peer,
                        "mtu", m, "netns", attach)),
                new Step(ensm, List.of("link", "set", veth, "alias", alias, "up")),
                new Step(attach, List.of("link", "set", peer, "alias", alias, "up")),
                new Step(ensm, List.of("link", "add", vxlan, "mtu", m, "master", bridge, "type", "vxlan", "id", Integer.toString(vni),
                        "remote", remote, "local", local, "dstport", "4789", "nolearning")),
                new Step(ensm, List.of("link", "set", vxlan, "alias", alias, "up")));
    }

    static List<Step> teardown(String ensm, String bridge, String veth, String vxlan) {
        return List.of(
                new Step(ensm, List.of("link", "del", vxlan)),
                new Step(ensm, List.of("link", "del", veth)),
                new Step(ensm, List.of("link", "del", bridge)));
    }
}
