package io.ensm.app.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.app.EnsmApplication;
import io.ensm.core.registry.Await;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.SecureClient;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ensm as an operator watches it: Debian's Prometheus scrapes a running ensm (mutual TLS, a real
 * NETCONF box, a second box that does not answer, one connection held, calls refused) and holds
 * every metric README.md names; the alert rules in config/prometheus pass promtool's check and
 * their unit tests, load into the live Prometheus and fire for the box that is down only; every
 * query of the Grafana dashboard in config/grafana returns data.
 */
@UsesNetconfTestbed(devices = 3)
class PrometheusMonitoringTest {
    static final TestCa CA = TestCa.create("example.org");
    static final TestCa.Svid ENSM = CA.issue("ns/ensm", Duration.ofHours(1));
    static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofHours(1));
    static final TestCa.Svid INTRUDER = CA.issue("intruder", Duration.ofHours(1));
    /** Scrapes every second: rate() over the dashboard's ranges needs two samples, alerts a few evaluations. */
    static final int SCRAPES = 6;

    @TempDir
    static Path dir;
    static Path root;
    static ConfigurableApplicationContext ensm;
    static PrometheusTestbed prometheus;
    static ManagedChannel channel;
    static Connection held;

    @BeforeAll
    static void start(NetconfTestbed bed) throws Exception {
        root = PrometheusTestbed.projectRoot();
        PrometheusTestbed.promtool();
        ensm = startEnsm(bed);
        int httpPort = ((WebServerApplicationContext) ensm).getWebServer().getPort();
        String target = "127.0.0.1:" + ensm.getBean(EnsmRuntime.class).port();
        Await.until("registered", () -> ensm.getBean(EnsmRuntime.class).status().registered(), Duration.ofSeconds(20));

        channel = new SecureClient(StaticIdentity.of(NSC), target).withTokens();
        var ns = NetworkServiceGrpc.newBlockingStub(channel);
        held = ns.request(Requests.request().service("blue").mechanisms(Requests.vlan()).expires(Instant.now().plusSeconds(600)).build());
        // Refused calls: a service that does not exist (a status of its own), a caller not allowed.
        assertThatThrownBy(() -> ns.request(Requests.request().service("no-such-service").mechanisms(Requests.vlan()).build()))
                .isInstanceOf(StatusRuntimeException.class);
        ManagedChannel intruder = new SecureClient(StaticIdentity.of(INTRUDER), target).withTokens();
        try {
            assertThatThrownBy(() -> NetworkServiceGrpc.newBlockingStub(intruder)
                    .request(Requests.request().service("blue").mechanisms(Requests.vlan()).build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("PERMISSION_DENIED");
        } finally {
            SecureClient.close(intruder);
        }

        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: ensm
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(root.resolve("config/prometheus/ensm-alerts.yml"), httpPort));
        prometheus = PrometheusTestbed.start(config, root.resolve("ensm-app/target/prometheus-testbed"));
        Await.until(SCRAPES + " scrapes of ensm", () -> {
            JsonNode r = prometheus.query("count_over_time(up{job=\"ensm\"}[1m]) >= " + SCRAPES);
            return r.size() == 1;
        }, Duration.ofSeconds(60));
    }

    static ConfigurableApplicationContext startEnsm(NetconfTestbed bed) throws IOException {
        TestCa.Files3 pem = ENSM.writeTo(dir.resolve("ensm-pem"));
        NetconfTestbed.Device box = bed.device(1);
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0", "--ensm.listen=127.0.0.1:" + freePort(), "--ensm.data-dir=" + dir.resolve("data"),
                "--ensm.name=ensm-monitoring", "--ensm.reconcile-interval=2s",
                "--ensm.tls.mode=pem-files", "--ensm.tls.pem.svid=" + pem.svid(), "--ensm.tls.pem.key=" + pem.key(),
                "--ensm.tls.pem.bundle=" + pem.bundle(), "--ensm.tls.allowed-callers[0]=" + NSC.spiffeId(),
                "--ensm.services[0].name=blue", "--ensm.services[0].payload=ETHERNET", "--ensm.services[0].cidrs[0]=10.91.0.0/24",
                "--ensm.services[1].name=red", "--ensm.services[1].payload=ETHERNET", "--ensm.services[1].cidrs[0]=10.92.0.0/24"));
        // box-1 is the test bed's first device; box-down is a port where nothing listens.
        args.addAll(netconfEndpoint(0, "box-1", "blue", box, box.port()));
        args.addAll(netconfEndpoint(1, "box-down", "red", box, freePort()));
        return new SpringApplicationBuilder(EnsmApplication.class).logStartupInfo(false).run(args.toArray(String[]::new));
    }

    static List<String> netconfEndpoint(int i, String name, String service, NetconfTestbed.Device box, int port) {
        String e = "--ensm.endpoints[" + i + "].";
        return List.of(e + "name=" + name, e + "service=" + service, e + "backend.type=netconf",
                e + "backend.settings.host=" + box.host(), e + "backend.settings.port=" + port,
                e + "backend.settings.username=" + box.username(), e + "backend.settings.password-file=" + box.passwordFile(),
                e + "backend.settings.known-hosts=" + box.knownHosts(), e + "backend.settings.driver=ietf",
                e + "backend.settings.port-name=eth1", e + "backend.settings.uplink=mon-up",
                e + "backend.settings.vlans=3400-3403");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (held != null) {
                NetworkServiceGrpc.newBlockingStub(channel).close(held);
            }
        } finally {
            if (channel != null) {
                SecureClient.close(channel);
            }
            if (prometheus != null) {
                prometheus.close();
            }
            if (ensm != null) {
                ensm.close();
            }
        }
    }

    /** The metric names in README.md's table under "Metrics and health". */
    static Set<String> readmeMetrics() throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        int from = readme.indexOf("## Metrics and health");
        String table = readme.substring(from, readme.indexOf("\n## ", from + 1));
        Set<String> names = new LinkedHashSet<>();
        for (String line : table.split("\n")) {
            if (line.startsWith("| `ensm_")) {
                Matcher m = Pattern.compile("`(ensm_[a-z_]+)`").matcher(line.split("\\|")[1]);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void everyMetricTheReadmeNamesIsScraped() throws IOException {
        Set<String> names = readmeMetrics();
        assertThat(names).as("metrics in README.md's table").hasSizeGreaterThanOrEqualTo(20)
                .contains("ensm_grpc_server_calls_seconds", "ensm_netconf_sessions", "ensm_tls_svid_expiry_seconds");
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            // A timer or histogram is scraped as NAME_count, _sum, _max (and _bucket); a counter as NAME.
            JsonNode r = prometheus.query("{__name__=~\"" + name + "(_count)?\", job=\"ensm\"}");
            if (r.isEmpty()) {
                missing.add(name);
            }
        }
        assertThat(missing).as("README metrics Prometheus holds no series of").isEmpty();
        // A name that ensm does not export finds nothing: the check above can fail.
        assertThat(prometheus.query("{__name__=~\"ensm_no_such_metric(_count)?\", job=\"ensm\"}")).isEmpty();
    }

    @Test
    void alertRulesPassPromtoolAndTheirUnitTestsCanFail() throws IOException {
        Path promtool = PrometheusTestbed.promtool();
        Path rules = root.resolve("config/prometheus/ensm-alerts.yml");
        Path tests = root.resolve("config/prometheus/ensm-alerts.test.yml");
        Cmd.Result check = Cmd.exec(promtool.toString(), "check", "rules", rules.toString());
        assertThat(check.exit()).as("promtool check rules:\n" + check.output()).isZero();
        Cmd.Result unit = Cmd.exec(promtool.toString(), "test", "rules", tests.toString());
        assertThat(unit.exit()).as("promtool test rules:\n" + unit.output()).isZero();
        assertThat(unit.output()).contains("SUCCESS");

        // The same tests against rules whose pool threshold is off must fail.
        Path copy = Files.createDirectories(dir.resolve("rules-mutated"));
        Files.writeString(copy.resolve("ensm-alerts.yml"),
                Files.readString(rules).replace("ensm_pool_utilisation > 0.9", "ensm_pool_utilisation > 0.99"));
        Files.copy(tests, copy.resolve("ensm-alerts.test.yml"));
        Cmd.Result mutated = Cmd.exec(promtool.toString(), "test", "rules", copy.resolve("ensm-alerts.test.yml").toString());
        assertThat(mutated.exit()).as("promtool test rules on a wrong threshold:\n" + mutated.output()).isNotZero();
        assertThat(mutated.output()).contains("EnsmPoolNearlyExhausted");
    }

    @Test
    void liveRulesLoadAndOnlyTheBoxThatIsDownIsAlerted() {
        JsonNode groups = prometheus.api("/api/v1/rules").path("data").path("groups");
        List<String> loaded = new ArrayList<>();
        for (JsonNode g : groups) {
            for (JsonNode rule : g.path("rules")) {
                loaded.add(rule.path("name").asText());
                assertThat(rule.path("health").asText()).as("rule " + rule.path("name").asText() + ": " + rule.path("lastError").asText())
                        .isEqualTo("ok");
            }
        }
        assertThat(loaded).contains("EnsmDown", "EnsmNseNotRegistered", "EnsmReconcileFailures", "EnsmPoolNearlyExhausted",
                "EnsmDeviceUnreachable", "EnsmSvidNearExpiry", "EnsmNoEndpointServed", "EnsmEndpointsMoved");

        // box-down's reconcile reads fail every pass (2 s): its alert is pending (it fires after 2 minutes).
        Await.until("EnsmDeviceUnreachable for box-down", () -> alerts("EnsmDeviceUnreachable").contains("box-down"),
                Duration.ofSeconds(30));
        assertThat(alerts("EnsmDeviceUnreachable")).containsExactly("box-down");
        assertThat(alerts("EnsmDown")).isEmpty();
        assertThat(alerts("EnsmSvidNearExpiry")).as("an SVID valid for an hour").isEmpty();
        assertThat(alerts("EnsmPoolNearlyExhausted")).as("one of four VLANs held").isEmpty();
    }

    /** The endpoints (or instances) of the pending or firing alerts of that name. */
    static List<String> alerts(String name) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : prometheus.api("/api/v1/alerts").path("data").path("alerts")) {
            if (name.equals(a.path("labels").path("alertname").asText())) {
                JsonNode labels = a.path("labels");
                out.add(labels.has("endpoint") ? labels.path("endpoint").asText() : labels.path("instance").asText());
            }
        }
        return out;
    }

    @Test
    void everyDashboardQueryReturnsData() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(root.resolve("config/grafana/ensm-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        collectQueries(dashboard.path("panels"), queries);
        assertThat(queries).as("queries in the dashboard").hasSizeGreaterThanOrEqualTo(20);
        List<String> empty = new ArrayList<>();
        for (String q : queries) {
            assertThat(q).as("a dashboard query with a Grafana variable the test cannot fill").doesNotContain("$");
            if (prometheus.query(q).isEmpty()) {
                empty.add(q);
            }
        }
        assertThat(empty).as("dashboard queries without data").isEmpty();
    }

    /** Every {@code targets[].expr} of the panels, rows' nested panels included. */
    static void collectQueries(JsonNode panels, List<String> into) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                if (t.hasNonNull("expr")) {
                    into.add(t.path("expr").asText());
                }
            }
            collectQueries(p.path("panels"), into);
        }
    }
}
