package io.ensm.netconf.driver;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks the arguments of {@link Driver#render} and {@link Driver#readFilter} the same way for every driver. */
public final class DriverInputs {

    private DriverInputs() {}

    /**
     * Every change checked, and no sub-interface twice: one edit-config cannot both create and
     * remove the same list entry.
     */
    public static List<Change> changes(Driver driver, List<Change> changes) {
        if (changes == null || changes.isEmpty()) {
            throw new IllegalArgumentException("changes: nothing to render");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            if (c == null) {
                throw new IllegalArgumentException("changes[" + i + "]: missing");
            }
            try {
                driver.check(c);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("changes[" + i + "]: " + e.getMessage(), e);
            }
            SubInterface s = c.subInterface();
            String name = driver.subInterfaceName(s.parentPort(), s.vlan());
            Integer before = seen.putIfAbsent(name, i);
            if (before != null) {
                throw new IllegalArgumentException("changes[" + i + "]: sub-interface " + name
                        + " is also changed by changes[" + before + "]; a batch changes each sub-interface once");
            }
        }
        return List.copyOf(changes);
    }

    /** Checked parent ports without repeats, in the order given. */
    public static Set<String> ports(Driver driver, Collection<String> parentPorts) {
        if (parentPorts == null) {
            throw new IllegalArgumentException("parentPorts: missing (an empty collection selects every sub-interface)");
        }
        Set<String> ports = new LinkedHashSet<>();
        int i = 0;
        for (String port : parentPorts) {
            try {
                driver.checkPortName(port);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parentPorts[" + i + "]: " + e.getMessage(), e);
            }
            ports.add(port);
            i++;
        }
        return ports;
    }

    /** Changes grouped by parent port in first-seen order, for models that nest sub-interfaces under their port. */
    public static Map<String, List<Change>> byParent(List<Change> changes) {
        Map<String, List<Change>> groups = new LinkedHashMap<>();
        for (Change c : changes) {
            groups.computeIfAbsent(c.subInterface().parentPort(), p -> new ArrayList<>()).add(c);
        }
        return groups;
    }
}
