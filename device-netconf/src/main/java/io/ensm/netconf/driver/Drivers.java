package io.ensm.netconf.driver;

import io.ensm.netconf.driver.ietf.IetfDriver;
import io.ensm.netconf.driver.junos.JunosDriver;
import io.ensm.netconf.driver.openconfig.OpenconfigDriver;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The drivers by the name configuration uses. Drivers are stateless, so one instance each serves every device. */
public final class Drivers {
    private static final Map<String, Driver> BY_NAME = byName(new IetfDriver(), new OpenconfigDriver(), new JunosDriver());

    private Drivers() {}

    public static Optional<Driver> byName(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(name));
    }

    /** The known names, sorted, for messages such as "unknown driver 'x'; known: ietf, junos, openconfig". */
    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    private static Map<String, Driver> byName(Driver... drivers) {
        Map<String, Driver> map = new TreeMap<>();
        Stream.of(drivers).forEach(d -> map.put(d.name(), d));
        return Collections.unmodifiableMap(map);
    }
}
