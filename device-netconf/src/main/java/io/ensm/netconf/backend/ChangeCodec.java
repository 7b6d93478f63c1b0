package io.ensm.netconf.backend;

import io.ensm.netconf.driver.Change;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.transaction.EditCodec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Writes sub-interface changes with one driver and checks each against the read-back. */
final class ChangeCodec implements EditCodec<Change> {
    private final Driver driver;

    ChangeCodec(Driver driver) {
        this.driver = driver;
    }

    @Override
    public String render(List<Change> items) {
        return driver.render(items);
    }

    @Override
    public String readFilter(List<Change> items) {
        return driver.readBackFilter(items);
    }

    @Override
    public ReadBack<Change> readBack(String dataXml) {
        Map<String, FoundSubInterface> found = driver.parse(dataXml).stream()
                .collect(Collectors.toMap(FoundSubInterface::name, Function.identity(), (a, b) -> a));
        return change -> {
            String name = label(change);
            FoundSubInterface f = found.get(name);
            return switch (change) {
                case Change.Put p -> f == null ? Optional.of(name + " is missing after the commit")
                        : f.state().equals(p.wanted()) ? Optional.empty()
                        : Optional.of(name + " reads back as " + describe(f.state()));
                case Change.Remove r -> f == null ? Optional.empty() : Optional.of(name + " is still there after the commit");
            };
        };
    }

    @Override
    public String label(Change item) {
        SubInterface s = item.subInterface();
        return driver.subInterfaceName(s.parentPort(), s.vlan());
    }

    static String describe(SubInterface s) {
        return "vlan=" + s.vlan() + " addresses=" + s.addresses() + " mtu=" + s.mtu()
                + " marker=" + (s.connectionId().isEmpty() ? "none" : s.marker());
    }
}
