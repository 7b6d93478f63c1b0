package io.ensm.openstack;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.openstack.expose.Exposure;

import java.util.Set;
import java.util.function.Predicate;

/**
 * An OpenStack network or VM as the far side of an endpoint's connections. Neutron is changed by
 * the {@link Exposure}; the attachment is always the connection's VLAN on ensm's uplink, which
 * reaches the provider physical network: bridged to the cluster leg by ensm's forwarder
 * (forwarder-vxlan) or used directly by a caller on the same fabric (fabric-vlan).
 */
public final class OpenStackBackend implements Backend {
    public static final String TYPE = "openstack";

    private final String endpoint;
    private final String uplink;
    private final BackendCapabilities capabilities;
    private final Exposure exposure;
    private final Cloud cloud;

    OpenStackBackend(String endpoint, String uplink, BackendCapabilities capabilities, Exposure exposure, Cloud cloud) {
        this.endpoint = endpoint;
        this.uplink = uplink;
        this.capabilities = capabilities;
        this.exposure = exposure;
        this.cloud = cloud;
    }

    /** With the addresses other ports hold on a segment's network, as the last join or refusal read them. */
    @Override
    public BackendCapabilities capabilities() {
        var reserved = exposure.reserved();
        return reserved.isEmpty() ? capabilities : capabilities.withReservedAddresses(reserved);
    }

    @Override
    public Attachment provision(ProvisionIntent intent) throws BackendException {
        int vlan = intent.allocation().vlanId();
        if (vlan == 0) {
            throw new BackendException(BackendException.Kind.REJECTED, "endpoint " + endpoint + ": connection "
                    + intent.connectionId() + " has no VLAN id from pool " + capabilities.vlanPool());
        }
        exposure.provision(intent);
        return intent.plan() == PlanKind.FABRIC_VLAN ? new Attachment.FabricVlan(vlan) : new Attachment.Vlan(uplink, vlan);
    }

    @Override
    public void release(ProvisionIntent intent) throws BackendException {
        exposure.release(intent);
    }

    @Override
    public Verification verify(ProvisionIntent intent) throws BackendException {
        return exposure.verify(intent);
    }

    /** Network endpoints do: every connection is a port on the network; trunk endpoints do not. */
    @Override
    public boolean servesSegments() {
        return exposure.servesSegments();
    }

    @Override
    public void joinSegment(ProvisionIntent intent) throws BackendException {
        exposure.joinSegment(intent);
    }

    /** Nothing shared was written: each connection's port goes with its release. */
    @Override
    public void leaveSegment(ProvisionIntent intent) {}

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        return exposure.removeOrphans(isKnown);
    }

    /** The cloud this endpoint talks to (token and Neutron request counts). */
    public Cloud cloud() {
        return cloud;
    }

    @Override
    public String toString() {
        return "OpenStackBackend[" + endpoint + " via " + uplink + ", " + cloud + "]";
    }
}
