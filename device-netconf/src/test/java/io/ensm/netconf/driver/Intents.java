package io.ensm.netconf.driver;

import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.List;
import java.util.stream.Stream;

/** Sub-interfaces for tests. */
public final class Intents {
    private Intents() {}

    public static VlanId vlan(int id) {
        return VlanId.vlanId((short) id);
    }

    public static List<InterfaceIpAddress> addresses(String... cidrs) {
        return Stream.of(cidrs).map(InterfaceIpAddress::valueOf).toList();
    }

    public static SubInterface sub(String port, int vlan, int mtu, String connectionId, String... cidrs) {
        return new SubInterface(port, vlan(vlan), addresses(cidrs), mtu, connectionId);
    }

    public static Change.Put put(SubInterface s) {
        return new Change.Put(s);
    }

    public static Change.Remove remove(SubInterface s) {
        return new Change.Remove(s);
    }

    /** What a Remove needs: port and VLAN only. */
    public static Change.Remove remove(String port, int vlan) {
        return new Change.Remove(new SubInterface(port, vlan(vlan), List.of(), 0, ""));
    }
}
