package io.ensm.app.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the soak runs against and how hard, from {@code key=value} arguments (scripts/soak writes
 * them from the lab's state).
 *
 * @param address       ensm's NSM API, host:port
 * @param actuatorPort  ensm's Actuator port on 127.0.0.1 (Prometheus metrics)
 * @param pid           ensm's process id (heap via jcmd, threads and descriptors via /proc)
 * @param ensmNetns     namespace of ensm's forwarder links
 * @param podNetns      namespace of the lab's pod, pinged through the lab's own connection
 * @param pingIp        the box-side address of the lab's connection
 * @param endpoints     endpoints the soak may use, one connection at a time each
 * @param srcIp         VXLAN source address offered in Requests
 * @param duration      how long traffic runs
 * @param rate          calls per second over all endpoints (Request, refresh and Close together)
 * @param sampleEvery   sampling period
 * @param shortLifetime lifetime of the connections left to expire
 * @param out           directory for samples.csv and summary.txt
 */
record SoakOptions(String address, int actuatorPort, long pid, String ensmNetns, String podNetns, String pingIp,
                   List<String> endpoints, String service, String srcIp, Duration duration, double rate,
                   Duration sampleEvery, Duration shortLifetime, Path out) {

    static SoakOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("argument '" + a + "' is not key=value");
            }
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        double rate = Double.parseDouble(required(m, "rate"));
        if (!(rate > 0 && rate <= 1000)) {
            throw new IllegalArgumentException("rate must be above 0 and at most 1000 calls per second, not " + rate);
        }
        List<String> endpoints = Arrays.stream(required(m, "endpoints").split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: at least one endpoint is needed");
        }
        return new SoakOptions(required(m, "address"), Integer.parseInt(required(m, "actuator-port")),
                Long.parseLong(required(m, "pid")), required(m, "ensm-netns"), required(m, "pod-netns"),
                required(m, "ping-ip"), endpoints, m.getOrDefault("service", "fabric-breakout"),
                required(m, "src-ip"), Duration.ofSeconds(Math.round(Double.parseDouble(required(m, "minutes")) * 60)),
                rate, Duration.ofSeconds(Long.parseLong(m.getOrDefault("sample-seconds", "30"))),
                Duration.ofSeconds(Long.parseLong(m.getOrDefault("short-lifetime-seconds", "15"))),
                Path.of(required(m, "out")));
    }

    private static String required(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return v;
    }
}
