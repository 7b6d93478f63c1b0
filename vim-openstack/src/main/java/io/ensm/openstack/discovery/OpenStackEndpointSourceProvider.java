package io.ensm.openstack.discovery;

import io.ensm.core.spi.EndpointSource;
import io.ensm.core.spi.EndpointSourceProvider;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.SourceContext;
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
    public EndpointSource create(SourceContext context) {
        SettingsReader settings = context.settings();
        Map<String, String> labels = settings.pairs("labels");
        for (String key : new String[] {"network", "trunk", "server"}) {
            if (settings.has(key)) {
                throw settings.invalid(key, "not a discovery setting (found endpoints name their network or trunk)");
            }
        }
        Map<String, String> base = new LinkedHashMap<>(settings.values());
        base.remove("labels");
        // validate everything a found endpoint will use, as a network endpoint (and a trunk endpoint) would
        Map<String, String> probe = new LinkedHashMap<>(base);
        probe.put("network", "discovery");
        probe.put("vlans", "1");
        OpenStackSettings parsed = OpenStackSettings.parse(new SettingsReader(settings.subject(), probe));
        boolean trunks = base.containsKey("vlans");
        if (trunks) {
            Map<String, String> trunkProbe = new LinkedHashMap<>(base);
            trunkProbe.put("trunk", "discovery");
            OpenStackSettings.parse(new SettingsReader(settings.subject(), trunkProbe));
        }
        // every key was checked by the probes
        settings.accept(base.keySet().toArray(String[]::new));
        settings.done();
        return new OpenStackEndpointSource(context.name(), OpenStacks.neutron(parsed), base, parsed.physicalNetwork(), trunks, labels);
    }
}
