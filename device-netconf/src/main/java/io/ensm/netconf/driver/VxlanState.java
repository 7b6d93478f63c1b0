package io.ensm.netconf.driver;

import java.util.List;
import java.util.Set;

/**
 * A box's VXLAN configuration as a driver reads it: every VLAN mapped to a VNI (ensm's and the
 * operator's) and the global static remote VTEP list.
 */
public record VxlanState(List<FoundVxlan> networks, Set<String> remoteVteps) {
    public VxlanState {
        networks = List.copyOf(networks);
        remoteVteps = Set.copyOf(remoteVteps);
    }

    /** Whether a VLAN other than {@code vlanName} names {@code vtep} as a static remote VTEP. */
    public boolean namedElsewhere(String vtep, String vlanName) {
        return networks.stream().anyMatch(n -> !n.vlanName().equals(vlanName) && n.state().remoteVteps().contains(vtep));
    }

    public java.util.Optional<FoundVxlan> find(String vlanName) {
        return networks.stream().filter(n -> n.vlanName().equals(vlanName)).findFirst();
    }
}
