package io.ensm.core.model;

/** The ways ensm can carry a connection; negotiation picks one per connection. */
public enum PlanKind {
    /** VXLAN from the caller's forwarder, terminated by ensm's forwarder and bridged to the backend's attachment. */
    FORWARDER_VXLAN("VXLAN"),
    /** VXLAN terminated by the box itself: no hairpin through ensm. */
    DEVICE_VXLAN("VXLAN"),
    /** The caller's forwarder sits on the same fabric: a VLAN id, nothing tunnelled. */
    FABRIC_VLAN("VLAN");

    private final String mechanismType;

    PlanKind(String mechanismType) {
        this.mechanismType = mechanismType;
    }

    /** The NSM mechanism type string this plan answers. */
    public String mechanismType() {
        return mechanismType;
    }
}
