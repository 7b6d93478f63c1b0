package io.ensm.core.backend.fixed;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.VlanRange;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings: {@code uplink} (required), {@code vlans} (required, "100-199"), {@code plans}
 * (comma-separated, default "forwarder-vxlan,fabric-vlan").
 */
public final class PreprovisionedBackendProvider implements BackendProvider {
    @Override
    public String type() {
        return PreprovisionedBackend.TYPE;
    }

    @Override
    public Backend create(EndpointSpec endpoint, Map<String, String> settings) {
        String uplink = settings.get("uplink");
        if (uplink == null || uplink.isBlank()) {
            throw new IllegalArgumentException("uplink: missing (the interface of ensm towards the box)");
        }
        String vlans = settings.get("vlans");
        if (vlans == null) {
            throw new IllegalArgumentException("vlans: missing (e.g. 100-199)");
        }
        VlanRange range;
        try {
            range = VlanRange.parse(vlans);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vlans: " + e.getMessage());
        }
        Set<PlanKind> plans = EnumSet.noneOf(PlanKind.class);
        for (String p : settings.getOrDefault("plans", "forwarder-vxlan,fabric-vlan").split(",")) {
            String name = p.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                plans.add(PlanKind.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("plans: unknown plan '" + p.trim() + "' (known: forwarder-vxlan, fabric-vlan)");
            }
        }
        try {
            return new PreprovisionedBackend(uplink, range, plans);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("plans: " + e.getMessage());
        }
    }
}
