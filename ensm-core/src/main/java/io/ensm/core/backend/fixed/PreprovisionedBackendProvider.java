package io.ensm.core.backend.fixed;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.VlanRange;

import java.util.EnumSet;
import java.util.Set;

/**
 * Settings: {@code uplink} (required), {@code vlans} (required, "100-199"), {@code plans}
 * (comma-separated, default "forwarder-vxlan,fabric-vlan"). Nothing is written, so nothing is
 * marked: the owner is not used.
 */
public final class PreprovisionedBackendProvider implements BackendProvider {
    @Override
    public String type() {
        return PreprovisionedBackend.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        SettingsReader s = context.settings();
        String uplink = s.required("uplink", "the interface of ensm towards the box");
        VlanRange range = s.vlans("vlans", "e.g. 100-199");
        Set<PlanKind> plans = s.plans("plans", EnumSet.of(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN));
        s.done();
        return new PreprovisionedBackend(uplink, range, plans);
    }
}
