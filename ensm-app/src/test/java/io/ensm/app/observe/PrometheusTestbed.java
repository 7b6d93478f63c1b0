package io.ensm.app.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Prerequisites;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's Prometheus through {@code scripts/prometheus-testbed}: installed (with promtool), started
 * on a free loopback port with a configuration and data directory of its own, asked through its
 * HTTP API, and stopped again (also by the script's watchdog when this JVM is killed).
 */
final class PrometheusTestbed implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path script;
    private final Path dir;
    private final String url;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusTestbed(Path script, Path dir, String url) {
        this.script = script;
        this.dir = dir;
        this.url = url;
    }

    /** The project's root: the directory above the module the tests run in that holds scripts/. */
    static Path projectRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("scripts").resolve("prometheus-testbed"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/prometheus-testbed not found above " + Path.of("").toAbsolutePath());
    }

    private static Path script() {
        return projectRoot().resolve("scripts").resolve("prometheus-testbed");
    }

    /** Installs prometheus when missing and returns promtool's path; an install that fails is an unmet prerequisite. */
    static Path promtool() {
        Cmd.Result r = Cmd.exec(script().toString(), "install");
        if (!r.ok()) {
            return Prerequisites.here().unmet("needs Debian's prometheus package (scripts/prometheus-testbed install failed: "
                    + r.output().strip() + ")");
        }
        String[] lines = r.output().strip().split("\n");
        return Path.of(lines[lines.length - 1].strip());
    }

    /** Starts Prometheus with this configuration, its data in {@code dir}. */
    static PrometheusTestbed start(Path config, Path dir) {
        promtool();
        Cmd.Result r = Cmd.exec(script().toString(), "start", config.toString(), "--dir", dir.toString(),
                "--owner-pid", Long.toString(ProcessHandle.current().pid()));
        if (!r.ok()) {
            throw new IllegalStateException("scripts/prometheus-testbed start failed (exit " + r.exit() + "): " + r.output().strip());
        }
        String[] lines = r.output().strip().split("\n");
        return new PrometheusTestbed(script(), dir, lines[lines.length - 1].strip());
    }

    String url() {
        return url;
    }

    /** The {@code data.result} array of an instant query; fails on an error answer. */
    JsonNode query(String promql) {
        JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data");
        return data.path("result");
    }

    /** The {@code data} of a GET of the HTTP API; fails unless its status is "success". */
    JsonNode api(String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                throw new AssertionError("Prometheus answered " + r.statusCode() + " to " + pathAndQuery + ": " + r.body());
            }
            return body;
        } catch (IOException e) {
            throw new IllegalStateException("asking Prometheus " + pathAndQuery + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        http.close();
        Cmd.exec(script.toString(), "stop", "--dir", dir.toString());
    }
}
