package io.ensm.openstack;

/** What one endpoint exposes: a Neutron network, or a VM through its trunk. */
public sealed interface Target {

    /** A Neutron network (name or id): a connection becomes a port on it. */
    record Network(String network) implements Target {}

    /** A trunk (name or id): a connection becomes a VLAN subport of it. */
    record Trunk(String trunk) implements Target {}

    /** A server by id: its port that is a trunk parent names the trunk. */
    record Server(String serverId) implements Target {}

    default String describe() {
        return switch (this) {
            case Network n -> "network " + n.network();
            case Trunk t -> "trunk " + t.trunk();
            case Server s -> "trunk of server " + s.serverId();
        };
    }
}
