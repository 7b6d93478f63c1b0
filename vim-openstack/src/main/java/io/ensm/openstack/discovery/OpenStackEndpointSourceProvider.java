package io.ensm.openstack.discovery;

import io.ensm.core.spi.EndpointSource;
import io.ensm.core.spi.EndpointSourceProvider;
import io.ensm.openstack.OpenStackBackend;
import io.ensm.openstack.OpenStackSettings;
import io.ensm.openstack.OpenStacks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Endpoint source type {@code openstack}. Settings: those of the {@code openstack} backend except
 * {@code network}, {@code trunk} and {@code server} (found endpoints name their own), plus
 * {@code labels} ({@code k=v,k=v}) added to every found endpoint. Without {@code vlans} (the
 * subport VLAN range) only networks are exposed.
 */
public final class OpenStackEndpointSourceProvider implements EndpointSourceProvider {

    @Override
    public String type() {
        return OpenStackBackend.TYPE;
    }

    @Override
    public EndpointSource create(String name, Map<String, String> settings) {
        Map<String, String> base = new LinkedHashMap<>(settings);
        String labelText = base.remove("labels");
        for (String key : new String[] {"network", "trunk", "server"}) {
            if (base.containsKey(key)) {
                throw new IllegalArgumentException(key + ": not a discovery setting (found endpoints name their network or trunk)");
            }
        }
        // validate everything a found endpoint will use, as a network endpoint would
        Map<String, String> probe = new LinkedHashMap<>(base);
        probe.put("network", "discovery");
        probe.put("vlans", "1");
        OpenStackSettings parsed = OpenStackSettings.parse(probe);
        boolean trunks = base.containsKey("vlans");
        if (trunks) {
            Map<String, String> trunkProbe = new LinkedHashMap<>(base);
            trunkProbe.put("trunk", "discovery");
            OpenStackSettings.parse(trunkProbe);
        }
        return new OpenStackEndpointSource(name, OpenStacks.neutron(parsed), base, parsed.physicalNetwork(), trunks, labels(labelText));
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return labels;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("labels: '" + pair.trim() + "' is not key=value");
            }
            labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return labels;
    }
}
