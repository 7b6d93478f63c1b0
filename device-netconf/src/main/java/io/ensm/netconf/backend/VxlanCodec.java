package io.ensm.netconf.backend;

import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.FoundVxlan;
import io.ensm.netconf.driver.VxlanChange;
import io.ensm.netconf.driver.VxlanNetwork;
import io.ensm.netconf.driver.VxlanState;
import io.ensm.netconf.transaction.EditCodec;

import java.util.List;
import java.util.Optional;

/** Writes VXLAN changes with one driver and checks each against the read-back, global remote VTEPs included. */
final class VxlanCodec implements EditCodec<VxlanChange> {
    private final Driver driver;

    VxlanCodec(Driver driver) {
        this.driver = driver;
    }

    @Override
    public String render(List<VxlanChange> items) {
        return driver.renderVxlan(items);
    }

    @Override
    public String readFilter(List<VxlanChange> items) {
        return driver.vxlanReadFilter();
    }

    @Override
    public ReadBack<VxlanChange> readBack(String dataXml) {
        VxlanState state = driver.parseVxlan(dataXml);
        return change -> {
            String name = label(change);
            Optional<FoundVxlan> f = state.find(name);
            return switch (change) {
                case VxlanChange.Put p -> f.isEmpty() ? Optional.of(name + " is missing after the commit")
                        : !f.get().state().equals(p.wanted()) ? Optional.of(name + " reads back as " + describe(f.get().state()))
                        : !state.remoteVteps().containsAll(p.wanted().remoteVteps())
                        ? Optional.of("switch-options remote-vtep-list lacks " + p.wanted().remoteVteps() + " after the commit")
                        : Optional.empty();
                case VxlanChange.Remove r -> f.isPresent() ? Optional.of(name + " is still there after the commit")
                        : r.dropVteps().stream().anyMatch(state.remoteVteps()::contains)
                        ? Optional.of("switch-options remote-vtep-list still holds one of " + r.dropVteps() + " after the commit")
                        : Optional.empty();
            };
        };
    }

    @Override
    public String label(VxlanChange item) {
        return item.network().vlanName();
    }

    static String describe(VxlanNetwork n) {
        return "vni=" + n.vni() + " vlan=" + n.vlan() + " remote-vteps=" + n.remoteVteps() + " ingress-replication="
                + n.ingressReplication() + " addresses=" + n.addresses() + " mtu=" + n.mtu()
                + " marker=" + (n.connectionId().isEmpty() ? "none" : n.marker());
    }
}
