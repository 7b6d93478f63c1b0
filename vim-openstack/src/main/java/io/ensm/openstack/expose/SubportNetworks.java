package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.openstack.neutron.Models.Network;
import io.ensm.openstack.neutron.Neutron;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pre-made provider VLAN networks that subports are put on, one per VLAN id, marked by the
 * operator with a tag (default {@code ensm-subports=<physical network>}). The VLAN of each is its
 * provider segment when this user may see it, else its {@code ensm-vlan=<id>} tag. Read on first
 * use and again whenever a VLAN is asked for that the last read did not have.
 */
public final class SubportNetworks {
    private static final Logger log = LoggerFactory.getLogger(SubportNetworks.class);
    public static final String VLAN_TAG = "ensm-vlan=";

    private final Neutron neutron;
    private final String selector;
    private final String physicalNetwork;
    private volatile Map<Integer, Network> byVlan = Map.of();

    public SubportNetworks(Neutron neutron, String selector, String physicalNetwork) {
        this.neutron = neutron;
        this.selector = selector;
        this.physicalNetwork = physicalNetwork;
    }

    /** The network for subports on this VLAN; NOT_FOUND saying what to create when there is none. */
    public Network networkFor(int vlan) throws BackendException {
        Network n = byVlan.get(vlan);
        if (n != null) {
            return n;
        }
        Map<Integer, Network> loaded = load();
        byVlan = loaded;
        n = loaded.get(vlan);
        if (n == null) {
            throw new BackendException(Kind.NOT_FOUND, "no subport network for VLAN " + vlan + ": create a provider VLAN network"
                    + " with segment " + vlan + " on " + physicalNetwork + ", with a subnet for the service's addresses, tagged "
                    + selector + " (and " + VLAN_TAG + vlan + " when ensm's user cannot see provider attributes)");
        }
        return n;
    }

    /** Forgets what was read, e.g. after Neutron said a network is gone. */
    public void forget() {
        byVlan = Map.of();
    }

    private Map<Integer, Network> load() throws BackendException {
        Map<Integer, Network> out = new HashMap<>();
        for (Network n : neutron.networks(Neutron.filters("tags", selector))) {
            Integer vlan = vlanOf(n);
            if (vlan == null) {
                continue;
            }
            Network other = out.putIfAbsent(vlan, n);
            if (other != null) {
                log.warn("event=openstack-subport-network-ambiguous vlan={} networks=[{},{}] using={}", vlan, other.id(), n.id(), other.id());
            }
        }
        return out;
    }

    private Integer vlanOf(Network n) {
        if (n.providerVisible()) {
            if (!"vlan".equals(n.networkType()) || !physicalNetwork.equals(n.physicalNetwork())) {
                log.warn("event=openstack-subport-network-ignored network={} reason=\"tagged {} but a {} network on {}, not VLAN on {}\"",
                        n.id(), selector, n.networkType(), n.physicalNetwork(), physicalNetwork);
                return null;
            }
            return n.segmentationId();
        }
        List<String> tagged = n.tags().stream().filter(t -> t.startsWith(VLAN_TAG)).toList();
        try {
            return tagged.size() == 1 ? Integer.parseInt(tagged.getFirst().substring(VLAN_TAG.length())) : null;
        } catch (NumberFormatException e) {
            log.warn("event=openstack-subport-network-ignored network={} reason=\"tag {} is not a VLAN id\"", n.id(), tagged.getFirst());
            return null;
        }
    }
}
