package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.openstack.neutron.Models.Port;
import io.ensm.openstack.neutron.Neutron;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The addresses other ports hold on a segment's network: Neutron's own (a DHCP port, a router's
 * interface), a VM's, an operator's, another ensm's. New connections of the segment get none of
 * them ({@link io.ensm.core.spi.BackendCapabilities#reservedAddresses}); without this, the lowest
 * free address of ensm's pool would be refused by Neutron again for every new connection.
 * Read at the segment's join and after Neutron refused an address as in use.
 */
final class TakenAddresses {
    private final Neutron neutron;
    private final Marker marker;
    private volatile List<String> taken = List.of();

    TakenAddresses(Neutron neutron, Marker marker) {
        this.neutron = neutron;
        this.marker = marker;
    }

    List<String> now() {
        return taken;
    }

    /** Reads the network's ports again; this endpoint's own ports (this owner's) do not count. */
    List<String> read(String networkId) throws BackendException {
        Set<String> out = new LinkedHashSet<>();
        for (Port p : neutron.ports(Neutron.filters("network_id", networkId))) {
            if (!(p.tags().contains(marker.endpointTag()) && p.tags().contains(marker.ownerTag()))) {
                out.addAll(p.addresses());
            }
        }
        taken = List.copyOf(out);
        return taken;
    }
}
