package io.ensm.app.bench;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.store.StoredConnection;
import io.ensm.netconf.backend.AppliedFleet;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ensm's own share of a restart with many stored connections, without devices: the same store as
 * {@link RestartBenchmark} (APPLIED connections dealt over three endpoints) on {@code preprovisioned}
 * endpoints, whose read-back does no I/O, and {@code EnsmRuntime.start} timed in one JVM: loading
 * the store, re-taking every allocation, the first reconciliation pass, arming expiries, the gRPC
 * server. The first start runs on a cold JVM. Options: {@code connections} (10000), {@code starts} (3).
 */
public final class InProcessRecoveryBenchmark {

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Map<String, String> o = ServiceStarts.options(args, Map.of("connections", "10000", "starts", "3"));
        int n = Integer.parseInt(o.get("connections"));
        Path data = Files.createTempDirectory("ensm-bench-recovery-");
        try {
            List<AppliedFleet.Endpoint> layout = new ArrayList<>();
            List<EndpointDefinition> endpoints = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                layout.add(new AppliedFleet.Endpoint("box-" + i, "uplink:up-" + i, 1));
                endpoints.add(new EndpointDefinition(new EndpointSpec("box-" + i, "fleet", Map.of()), "preprovisioned",
                        Map.of("uplink", "up-" + i, "vlans", "1-3999", "plans", "fabric-vlan")));
            }
            List<StoredConnection> fleet = AppliedFleet.connections(n, "fleet", "10.80.0.0/16", layout, Instant.now().plus(Duration.ofHours(12)));
            try (SqliteConnectionStore store = new SqliteConnectionStore(data)) {
                fleet.forEach(store::put);
            }
            EnsmSettings settings = new EnsmSettings("ensm-bench-recovery", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                    data, Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 5000, 5999,
                    List.of(new ServiceSpec("fleet", Payload.ETHERNET, List.of("10.80.0.0/16"), List.of())), endpoints, null, Map.of());
            System.out.printf(Locale.ROOT, "in-process recovery: %d stored connections, JDK %s, %d CPUs, load average %s%n", n,
                    Runtime.version(), Runtime.getRuntime().availableProcessors(), ServiceStarts.loadAverage());
            for (int i = 1; i <= Integer.parseInt(o.get("starts")); i++) {
                long t0 = System.nanoTime();
                try (EnsmRuntime runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new,
                        EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC())) {
                    System.out.printf(Locale.ROOT, "start %d%s: %.0f ms; %s%n", i, i == 1 ? " (cold JVM)" : "",
                            (System.nanoTime() - t0) / 1e6, runtime.recovery());
                }
            }
        } finally {
            ServiceStarts.deleteTree(data);
        }
    }
}
