package io.ensm.core.fuzz;

import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.store.StoredConnection;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a call may change, as plain values: stored rows (the reply bytes included), the
 * table's memory copy, what each backend and the forwarder hold and how often they were called,
 * pool usage, armed timers, busy connection ids and published monitor events.
 */
record WorldState(Map<String, String> stored, Map<String, String> live, int storeWrites,
                  Map<String, Map<String, ProvisionIntent>> provisioned, Map<String, Integer> backendCalls,
                  Map<String, CrossConnect> crossConnects, int forwarderCalls,
                  Map<String, Integer> addressesInUse, int vlansInUse, int vnisInUse,
                  int timersArmed, int busyIds, int monitorEvents) {

    static WorldState of(FuzzWorld w) {
        // Refreshes are written behind their replies: a snapshot is of the store once they landed.
        if (w.table.flush(java.time.Duration.ofSeconds(10)) != 0) {
            throw new AssertionError("refresh writes still queued after 10 s");
        }
        Map<String, String> stored = new TreeMap<>();
        w.store.loadAll().forEach(c -> stored.put(c.id(), row(c)));
        Map<String, String> live = new TreeMap<>();
        w.table.all().forEach(c -> live.put(c.id(), row(c)));
        Map<String, Map<String, ProvisionIntent>> provisioned = new LinkedHashMap<>();
        Map<String, Integer> calls = new LinkedHashMap<>();
        w.backends.forEach((name, b) -> {
            provisioned.put(name, b.provisioned());
            calls.put(name, b.calls().size());
        });
        Map<String, Integer> addresses = new LinkedHashMap<>();
        w.addressPools.forEach((name, p) -> addresses.put(name, p.inUse()));
        return new WorldState(stored, live, w.store.writes().size(), provisioned, calls, w.forwarder.connected(),
                w.forwarder.calls().size(), addresses, w.vlanPools.inUse(FuzzWorld.VLAN_POOL), w.vniPool.inUse(),
                w.timers.armed(), w.serializer.activeIds(), w.events.get());
    }

    private static String row(StoredConnection c) {
        return List.of(c.endpoint(), c.service(), c.phase(), c.plan(), c.allocation(), String.valueOf(c.peer()), c.mtu(),
                String.valueOf(c.attachment()), c.expires(), HexFormat.of().formatHex(c.connection())).toString();
    }

    /** True when nothing is held: no rows, links, device objects, pool entries, timers or busy ids. */
    boolean holdsNothing() {
        return stored.isEmpty() && live.isEmpty() && crossConnects.isEmpty()
                && provisioned.values().stream().allMatch(Map::isEmpty)
                && addressesInUse.values().stream().allMatch(n -> n == 0)
                && vlansInUse == 0 && vnisInUse == 0 && timersArmed == 0 && busyIds == 0;
    }

    /** The same resources held as {@code other}, ignoring call and event counters. */
    boolean holdsSameAs(WorldState other) {
        return stored.equals(other.stored) && live.equals(other.live) && provisioned.equals(other.provisioned)
                && crossConnects.equals(other.crossConnects) && addressesInUse.equals(other.addressesInUse)
                && vlansInUse == other.vlansInUse && vnisInUse == other.vnisInUse
                && timersArmed == other.timersArmed && busyIds == other.busyIds;
    }
}
