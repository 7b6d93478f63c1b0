package io.ensm.app.soak;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One row of samples.csv: the service's resources and the soak's progress at one moment. */
record Sample(Instant at, long elapsedSeconds, String phase, double heapAfterGcMib, long threads, long jvmThreads,
              long fds, long ensmLinks, long connections, long openBySoak, long requests, long refreshes,
              long closes, long expired, long errors, boolean labPing) {

    static final List<String> HEADER = List.of("time", "elapsed_s", "phase", "heap_after_gc_mib", "threads",
            "jvm_threads", "fds", "ensm_links", "connections", "open_by_soak", "requests", "refreshes", "closes",
            "expired", "errors", "lab_ping");

    String csv() {
        return String.join(",", at.toString(), Long.toString(elapsedSeconds), phase,
                String.format(java.util.Locale.ROOT, "%.1f", heapAfterGcMib), Long.toString(threads),
                Long.toString(jvmThreads), Long.toString(fds), Long.toString(ensmLinks), Long.toString(connections),
                Long.toString(openBySoak), Long.toString(requests), Long.toString(refreshes), Long.toString(closes),
                Long.toString(expired), Long.toString(errors), labPing ? "ok" : "FAIL");
    }

    /** The series whose first, last and largest values the summary reports. */
    Map<String, Double> series() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("heap after GC (MiB)", heapAfterGcMib);
        m.put("threads (OS)", (double) threads);
        m.put("threads (JVM live)", (double) jvmThreads);
        m.put("open file descriptors", (double) fds);
        m.put("ensm links in the lab's ensm namespace", (double) ensmLinks);
        m.put("connections held by ensm", (double) connections);
        return m;
    }
}
