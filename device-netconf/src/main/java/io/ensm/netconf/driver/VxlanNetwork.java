package io.ensm.netconf.driver;

import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What ensm wants on a box that terminates VXLAN itself for one connection: a VLAN mapped to the
 * connection's VNI, flooding by ingress replication to the caller's node (a static remote VTEP),
 * with a layer-3 interface carrying the box's address. It is also what a driver reads back, so
 * state read from a box compares equal to the intent that wrote it.
 *
 * <p>Construction only refuses nulls: state read from a box may be incomplete. Whether a value
 * may be written is decided by {@link Driver#renderVxlan}.
 *
 * @param vni                the VXLAN network identifier
 * @param vlan               the box-local VLAN id; also the number of the layer-3 unit ({@code irb.<vlan>})
 * @param remoteVteps        the VLAN's static remote VTEPs (the caller's node), sorted
 * @param ingressReplication whether flooding goes by ingress replication to those VTEPs
 * @param addresses          the box's addresses on the layer-3 unit, IPv4 first, then by address
 * @param mtu                the layer-3 unit's IP MTU; 0 when the box has none
 * @param connectionId       the connection the marks name; empty for unmarked entries
 * @param owner              the owner the marks name; empty when none
 */
public record VxlanNetwork(int vni, VlanId vlan, List<String> remoteVteps, boolean ingressReplication,
                           List<InterfaceIpAddress> addresses, int mtu, String connectionId, String owner) {

    private static final Comparator<InterfaceIpAddress> CANONICAL = Comparator
            .comparing((InterfaceIpAddress a) -> a.ipAddress().version())
            .thenComparing(InterfaceIpAddress::ipAddress)
            .thenComparingInt(a -> a.subnetAddress().prefixLength());

    public VxlanNetwork {
        Objects.requireNonNull(vlan, "vlan");
        Objects.requireNonNull(remoteVteps, "remoteVteps");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(owner, "owner");
        remoteVteps = remoteVteps.stream().sorted().distinct().toList();
        addresses = addresses.stream().sorted(CANONICAL).toList();
    }

    /** The name of the VLAN: one per VNI, so two connections never share one. */
    public static String vlanName(int vni) {
        return "ensm-vni-" + vni;
    }

    public String vlanName() {
        return vlanName(vni);
    }

    /** The description that marks the VLAN and its layer-3 unit. */
    public String marker() {
        return Marker.description(owner, connectionId);
    }
}
