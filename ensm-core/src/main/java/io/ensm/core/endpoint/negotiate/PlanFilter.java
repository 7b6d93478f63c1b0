package io.ensm.core.endpoint.negotiate;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;

import java.util.List;
import java.util.Set;

/**
 * The plans an endpoint can serve for a payload, in ensm's order of preference for one mechanism
 * type: the box terminating VXLAN itself beats a hairpin through ensm's forwarder.
 */
public final class PlanFilter {
    private static final List<PlanKind> ORDER = List.of(PlanKind.DEVICE_VXLAN, PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);

    private final boolean forwarderPresent;

    public PlanFilter(boolean forwarderPresent) {
        this.forwarderPresent = forwarderPresent;
    }

    public List<PlanKind> plansFor(ExposedEndpoint endpoint, Payload payload) {
        Set<PlanKind> able = endpoint.backend().capabilities().plans();
        return ORDER.stream()
                .filter(able::contains)
                .filter(p -> p != PlanKind.FORWARDER_VXLAN || forwarderPresent)
                // NSM carries only ETHERNET over VXLAN; an IP payload is routed over a VLAN.
                .filter(p -> payload == Payload.ETHERNET || !p.mechanismType().equals(Negotiate.VXLAN))
                .toList();
    }
}
