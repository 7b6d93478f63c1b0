package io.ensm.netconf.driver;

import java.util.Optional;

/**
 * A VLAN with a VXLAN mapping as read from a box: its name, its state joined with its layer-3
 * unit's, and the connection id of its mark (empty when it carries none).
 */
public record FoundVxlan(String vlanName, VxlanNetwork state, Optional<String> marker) {}
