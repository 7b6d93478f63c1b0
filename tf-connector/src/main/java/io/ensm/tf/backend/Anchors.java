package io.ensm.tf.backend;

import io.ensm.tf.vnc.FqName;

import java.util.List;

/**
 * The existing TF objects an endpoint hangs its connections on, found once by name.
 *
 * @param network     the virtual network exposed as the NSE
 * @param networkUuid its uuid
 * @param projectUuid the project holding it, and the interfaces ensm creates
 * @param portGroup   the virtual-port-group of ensm's fabric uplink
 * @param portGroupUuid its uuid
 * @param links       the group's ports, as the {@code local_link_information} of a bare-metal binding
 * @param reserved    the addresses TF keeps for itself in the network's subnets ({@link SubnetReservations})
 */
record Anchors(FqName network, String networkUuid, String projectUuid, FqName portGroup, String portGroupUuid,
               List<Link> links, List<String> reserved) {
    Anchors {
        links = List.copyOf(links);
        reserved = List.copyOf(reserved);
    }

    /**
     * One fabric port: {@code switch_info} is the physical-router's name and {@code port_id} the
     * physical-interface's name, as in a Neutron/Ironic binding profile.
     */
    record Link(String switchInfo, String portId, String fabric) {}
}
