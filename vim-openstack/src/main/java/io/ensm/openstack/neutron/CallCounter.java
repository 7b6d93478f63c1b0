package io.ensm.openstack.neutron;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Neutron requests sent, by operation ("POST /ports", "GET /ports"), for tests and benchmarks. */
public final class CallCounter {
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    void count(String operation) {
        calls.computeIfAbsent(operation, k -> new LongAdder()).increment();
    }

    public long total() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
