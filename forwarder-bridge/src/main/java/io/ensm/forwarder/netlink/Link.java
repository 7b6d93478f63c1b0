package io.ensm.forwarder.netlink;

import java.net.InetAddress;

/**
 * A network interface as RTM_GETLINK reports it.
 *
 * @param kind   the link kind ("bridge", "vxlan", "veth", "vlan", ...), empty for plain devices
 * @param master ifindex of the bridge it is a port of, 0 when none
 * @param alias  IFLA_IFALIAS, empty when unset
 * @param parent IFLA_LINK: the lower device of a VLAN, the peer of a veth; 0 when none
 * @param vxlan  VXLAN parameters when the kind is vxlan, else null
 * @param vlanId the 802.1Q id when the kind is vlan, else 0
 * @param group  IFLA_GROUP, the device group (0 is the default group)
 */
public record Link(int index, String name, String kind, int flags, int mtu, int master, String alias, int parent,
                   Vxlan vxlan, int vlanId, int group) {
    public static final int IFF_UP = 0x1;

    /** VXLAN parameters of a vxlan link; remote is null when the device has no default destination. */
    public record Vxlan(int vni, InetAddress remote, InetAddress local, int port, boolean learning) {}

    public boolean up() {
        return (flags & IFF_UP) != 0;
    }

    public boolean isKind(String k) {
        return kind.equals(k);
    }
}
