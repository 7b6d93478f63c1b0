package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.openstack.neutron.Models.Port;
import io.ensm.openstack.neutron.Neutron;
import io.ensm.openstack.neutron.TagSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * The ports ensm owns for one endpoint: created with the marker, found by it, deleted. A port is
 * never left without its tags: when tagging after the create fails, the port is deleted again.
 */
public final class MarkedPorts {
    private static final Logger log = LoggerFactory.getLogger(MarkedPorts.class);

    private final Neutron neutron;
    private final Marker marker;
    private final TagSupport tagSupport;

    public MarkedPorts(Neutron neutron, Marker marker, TagSupport tagSupport) {
        this.neutron = neutron;
        this.marker = marker;
        this.tagSupport = tagSupport;
    }

    public Marker marker() {
        return marker;
    }

    /** The connection's port, by its marker tag. */
    Optional<Port> find(String connectionId) throws BackendException {
        List<Port> ports = neutron.portsTagged(marker.connectionTag(connectionId));
        return ports.stream().findFirst();
    }

    /**
     * The connection's port created but not yet tagged (ensm stopped between the two requests on a
     * Neutron without tag-creation): same network, ensm's name and description for this id.
     */
    Optional<Port> findUntagged(String connectionId, String networkId) throws BackendException {
        if (tagSupport.onCreate()) {
            return Optional.empty();
        }
        return neutron.ports(Neutron.filters("name", marker.name(connectionId), "network_id", networkId)).stream()
                .filter(p -> p.tags().isEmpty() && p.description().equals(marker.description(connectionId)))
                .findFirst();
    }

    /** Every port marked for this endpoint by this owner: what the orphan sweep may remove. */
    List<Port> all() throws BackendException {
        return neutron.portsTagged(marker.endpointTag()).stream().filter(p -> p.tags().contains(marker.ownerTag())).toList();
    }

    Port create(String connectionId, String networkId, List<String> addresses, String mac) throws BackendException {
        List<String> tags = marker.tags(connectionId);
        if (tagSupport.onCreate()) {
            return neutron.createPort(networkId, marker.name(connectionId), marker.description(connectionId), addresses, mac, tags);
        }
        Port port = neutron.createPort(networkId, marker.name(connectionId), marker.description(connectionId), addresses, mac, List.of());
        try {
            neutron.setPortTags(port.id(), tags);
        } catch (BackendException e) {
            deleteQuietly(port, connectionId, "tagging failed");
            throw e;
        }
        return new Port(port.id(), port.name(), port.description(), port.networkId(), port.macAddress(), port.fixedIps(), tags,
                port.deviceId(), port.trunkId());
    }

    boolean delete(Port port) throws BackendException {
        return neutron.deletePort(port.id());
    }

    void deleteQuietly(Port port, String connectionId, String why) {
        try {
            neutron.deletePort(port.id());
            log.info("event=openstack-port-undone endpoint={} connection={} port={} why=\"{}\"", marker.endpoint(), connectionId, port.id(), why);
        } catch (BackendException e) {
            log.warn("event=openstack-undo-failed endpoint={} connection={} port={} why=\"{}\" reason=\"{}\"",
                    marker.endpoint(), connectionId, port.id(), why, e.getMessage());
        }
    }
}
