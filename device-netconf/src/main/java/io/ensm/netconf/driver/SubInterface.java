package io.ensm.netconf.driver;

import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What ensm wants on a box for one connection: a VLAN sub-interface of a port, with addresses and
 * an MTU, marked with the connection id. It is also what a driver reads back, so state read from a
 * box compares equal to the intent that wrote it.
 *
 * <p>Construction only refuses nulls, because state read from a box may be incomplete (a marked
 * entry without a VLAN, no MTU). Whether a value may be written is decided by
 * {@link Driver#check(Change)}, which every {@link Driver#render} applies.
 *
 * @param parentPort   the port the sub-interface sits on, in the driver's naming ({@code eth1}, {@code ge-0/0/1})
 * @param vlan         the 802.1Q tag; {@link VlanId#NONE} when an entry read from a box has none
 * @param addresses    addresses on the sub-interface, kept IPv4 first, then by address and prefix
 *                     length, so that equality does not depend on the order a box returns them
 * @param mtu          IP MTU in octets; 0 when a box has none, or its IPv4 and IPv6 MTUs differ
 * @param connectionId the connection the marker names; empty for unmarked entries read from a box
 * @param owner        the owner the marker names ({@link Marker}); empty for unmarked entries and for
 *                     marks read from a box that name no owner
 */
public record SubInterface(String parentPort, VlanId vlan, List<InterfaceIpAddress> addresses, int mtu,
                           String connectionId, String owner) {

    private static final Comparator<InterfaceIpAddress> CANONICAL = Comparator
            .comparing((InterfaceIpAddress a) -> a.ipAddress().version())
            .thenComparing(InterfaceIpAddress::ipAddress)
            .thenComparingInt(a -> a.subnetAddress().prefixLength());

    public SubInterface {
        Objects.requireNonNull(parentPort, "parentPort");
        Objects.requireNonNull(vlan, "vlan");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(owner, "owner");
        for (int i = 0; i < addresses.size(); i++) {
            Objects.requireNonNull(addresses.get(i), "addresses[" + i + "]");
        }
        addresses = addresses.stream().sorted(CANONICAL).toList();
    }

    /** A sub-interface whose mark names no owner, as a box written by an earlier ensm holds it. */
    public SubInterface(String parentPort, VlanId vlan, List<InterfaceIpAddress> addresses, int mtu, String connectionId) {
        this(parentPort, vlan, addresses, mtu, connectionId, "");
    }

    /** The description that marks it. */
    public String marker() {
        return Marker.description(owner, connectionId);
    }

    public List<InterfaceIpAddress> ipv4() {
        return addresses.stream().filter(a -> a.ipAddress().isIp4()).toList();
    }

    public List<InterfaceIpAddress> ipv6() {
        return addresses.stream().filter(a -> a.ipAddress().isIp6()).toList();
    }

    /** The IPv4 family is written when there are IPv4 addresses or no addresses at all (it then carries the MTU). */
    public boolean writesIpv4() {
        return !ipv4().isEmpty() || addresses.isEmpty();
    }

    public boolean writesIpv6() {
        return !ipv6().isEmpty();
    }
}
