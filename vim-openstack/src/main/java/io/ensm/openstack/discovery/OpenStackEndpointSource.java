package io.ensm.openstack.discovery;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.EndpointSource;
import io.ensm.openstack.OpenStackBackend;
import io.ensm.openstack.expose.SubportNetworks;
import io.ensm.openstack.neutron.Models.Network;
import io.ensm.openstack.neutron.Models.Trunk;
import io.ensm.openstack.neutron.Neutron;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Neutron networks and trunks tagged {@code ensm-service=<service>} as endpoints of that service.
 * Two Neutron requests per sync (networks, trunks), filtered by Neutron on the tags of ensm's
 * services. A found endpoint is named {@code <source>-<network or trunk name>} and made by the
 * {@code openstack} backend with the source's settings plus its network (and segment) or trunk.
 */
public final class OpenStackEndpointSource implements EndpointSource {
    private static final Logger log = LoggerFactory.getLogger(OpenStackEndpointSource.class);
    public static final String SERVICE_TAG = "ensm-service=";

    private final String name;
    private final Neutron neutron;
    private final Map<String, String> backendSettings;
    private final String physicalNetwork;
    private final boolean trunks;
    private final Map<String, String> labels;
    private final Set<String> warned = new HashSet<>();

    /**
     * @param backendSettings the settings every found endpoint's backend starts from
     * @param trunks          whether trunks are exposed (the source has a subport VLAN range)
     */
    OpenStackEndpointSource(String name, Neutron neutron, Map<String, String> backendSettings, String physicalNetwork,
                            boolean trunks, Map<String, String> labels) {
        this.name = name;
        this.neutron = neutron;
        this.backendSettings = Map.copyOf(backendSettings);
        this.physicalNetwork = physicalNetwork;
        this.trunks = trunks;
        this.labels = Map.copyOf(labels);
    }

    @Override
    public List<EndpointDefinition> discover(Set<String> services) throws BackendException {
        if (services.isEmpty()) {
            return List.of();
        }
        String anyOf = new TreeSet<>(services).stream().map(s -> SERVICE_TAG + s).collect(Collectors.joining(","));
        List<EndpointDefinition> found = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Network n : neutron.networks(Neutron.filters("tags-any", anyOf))) {
            Optional<String> service = serviceOf(n.tags(), services, n.id());
            Integer vlan = segmentOf(n);
            if (service.isPresent() && vlan != null) {
                Map<String, String> s = new LinkedHashMap<>(backendSettings);
                s.put("network", n.id());
                s.put("vlans", Integer.toString(vlan));
                found.add(definition(unique(n.name(), n.id(), names), service.get(), "network", n.id(), s));
            }
        }
        if (trunks) {
            for (Trunk t : neutron.trunks(Neutron.filters("tags-any", anyOf))) {
                Optional<String> service = serviceOf(tagsOf(t), services, t.id());
                if (service.isPresent()) {
                    Map<String, String> s = new LinkedHashMap<>(backendSettings);
                    s.put("trunk", t.id());
                    found.add(definition(unique(t.name(), t.id(), names), service.get(), "trunk", t.id(), s));
                }
            }
        }
        return found;
    }

    private EndpointDefinition definition(String endpoint, String service, String kind, String id, Map<String, String> settings) {
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.put("openstack-kind", kind);
        l.put("openstack-id", id);
        return new EndpointDefinition(new EndpointSpec(endpoint, service, l), OpenStackBackend.TYPE, settings);
    }

    private Optional<String> serviceOf(List<String> tags, Set<String> services, String id) {
        List<String> named = tags.stream().filter(t -> t.startsWith(SERVICE_TAG)).map(t -> t.substring(SERVICE_TAG.length()))
                .filter(services::contains).toList();
        if (named.size() > 1) {
            warnOnce(id, "is tagged for several services " + named + "; exposed for none");
            return Optional.empty();
        }
        return named.stream().findFirst();
    }

    /** A network's VLAN: its provider segment when visible, else its ensm-vlan tag. */
    private Integer segmentOf(Network n) {
        if (n.providerVisible()) {
            if ("vlan".equals(n.networkType()) && physicalNetwork.equals(n.physicalNetwork())) {
                return n.segmentationId();
            }
            warnOnce(n.id(), "is a " + n.networkType() + " network on " + n.physicalNetwork() + ", not a VLAN network on "
                    + physicalNetwork + "; not exposed");
            return null;
        }
        List<String> tagged = n.tags().stream().filter(t -> t.startsWith(SubportNetworks.VLAN_TAG)).toList();
        try {
            if (tagged.size() == 1) {
                return Integer.parseInt(tagged.getFirst().substring(SubportNetworks.VLAN_TAG.length()));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        warnOnce(n.id(), "hides its provider segment from ensm's user and has no " + SubportNetworks.VLAN_TAG + "<id> tag; not exposed");
        return null;
    }

    /** {@code <source>-<name>}; the resource id when the name is empty or taken. */
    private String unique(String resourceName, String id, Set<String> taken) {
        String base = resourceName.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        String candidate = name + "-" + (base.isEmpty() ? id : base);
        if (candidate.length() > 200) {
            candidate = candidate.substring(0, 200);
        }
        if (!taken.add(candidate)) {
            candidate = name + "-" + id;
            taken.add(candidate);
        }
        return candidate;
    }

    private List<String> tagsOf(Trunk t) {
        return t.tags();
    }

    private void warnOnce(String id, String problem) {
        if (warned.add(id + problem)) {
            log.warn("event=discovery-resource-skipped source={} resource={} reason=\"{}\"", name, id, problem);
        }
    }
}
