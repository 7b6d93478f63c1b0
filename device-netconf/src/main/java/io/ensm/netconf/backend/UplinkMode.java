package io.ensm.netconf.backend;

/** How the connection's VLAN is carried on ensm's uplink towards the box ({@code uplink-mode}). */
public enum UplinkMode {
    /** ensm's forwarder tags frames with the connection's VLAN (a VLAN sub-interface of the uplink). */
    TAGGED,
    /**
     * The uplink is cabled to an access port of the box in the connection's VLAN: frames leave ensm
     * untagged and the box classifies them. Also the choice on hosts whose kernel has no 802.1Q.
     */
    ACCESS
}
