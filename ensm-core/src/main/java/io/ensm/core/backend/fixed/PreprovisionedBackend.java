package io.ensm.core.backend.fixed;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.spi.VlanRange;

import java.util.EnumSet;
import java.util.Set;

/**
 * A box that is already configured for a range of VLANs and that ensm does not manage (no
 * management access, or change control forbids it): ensm only hands out the VLAN ids, addresses
 * and VNIs and wires its own kernel leg. Nothing is written to the box, so there is nothing to
 * read back: a connection is present as long as ensm holds it. A shared segment is served the same
 * way: the box already carries it (its VLAN, fixed in the service's settings, and the gateway), so
 * its first join and last leave write nothing either.
 */
public final class PreprovisionedBackend implements Backend {
    public static final String TYPE = "preprovisioned";

    private final String uplink;
    private final BackendCapabilities capabilities;

    /**
     * @param uplink ensm's interface towards the box; its VLANs form one pool
     * @param vlans  the VLAN ids the box is configured for
     * @param plans  FORWARDER_VXLAN (hairpin through ensm to a VLAN on the uplink) and/or FABRIC_VLAN
     */
    public PreprovisionedBackend(String uplink, VlanRange vlans, Set<PlanKind> plans) {
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("at least one plan is needed");
        }
        if (plans.contains(PlanKind.DEVICE_VXLAN)) {
            throw new IllegalArgumentException("a pre-provisioned box cannot terminate VXLAN for ensm");
        }
        if (uplink == null || uplink.isBlank()) {
            throw new IllegalArgumentException("uplink is empty");
        }
        this.uplink = uplink;
        this.capabilities = new BackendCapabilities(EnumSet.copyOf(plans), "uplink:" + uplink, vlans, null);
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public boolean servesSegments() {
        return true;
    }

    @Override
    public boolean segmentsNeedFixedVlan() {
        return true;
    }

    @Override
    public void joinSegment(ProvisionIntent intent) {
        // The box was configured with the segment by its operator.
    }

    @Override
    public void leaveSegment(ProvisionIntent intent) {
        // The segment stays on the box: ensm did not write it.
    }

    @Override
    public Attachment provision(ProvisionIntent intent) {
        int vlan = intent.allocation().vlanId();
        return intent.plan() == PlanKind.FABRIC_VLAN ? new Attachment.FabricVlan(vlan) : new Attachment.Vlan(uplink, vlan);
    }

    @Override
    public void release(ProvisionIntent intent) {
        // Nothing was written.
    }

    @Override
    public Verification verify(ProvisionIntent intent) {
        return Verification.PRESENT;
    }
}
