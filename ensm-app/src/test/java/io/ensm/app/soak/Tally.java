package io.ensm.app.soak;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** Counts calls per kind with their latency, and failures per kind and status. */
final class Tally {
    /** Count, total and longest latency of one kind of call. */
    record Calls(long count, long totalNanos, long maxNanos) {
        double meanMillis() {
            return count == 0 ? 0 : totalNanos / 1e6 / count;
        }
    }

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private final Map<String, LongAccumulator> max = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    void ok(String kind, long tookNanos) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
        nanos.computeIfAbsent(kind, k -> new LongAdder()).add(tookNanos);
        max.computeIfAbsent(kind, k -> new LongAccumulator(Math::max, 0)).accumulate(tookNanos);
    }

    /** An event without a call of ours, e.g. a connection ensm closed on expiry. */
    void event(String kind) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void failed(String kind, String status) {
        errors.computeIfAbsent(kind + " " + status, k -> new LongAdder()).increment();
    }

    long count(String kind) {
        LongAdder a = counts.get(kind);
        return a == null ? 0 : a.sum();
    }

    Calls calls(String kind) {
        LongAdder n = nanos.get(kind);
        LongAccumulator m = max.get(kind);
        return new Calls(count(kind), n == null ? 0 : n.sum(), m == null ? 0 : m.get());
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> errors() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
