package io.ensm.core.runtime;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.testing.SecretScan;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Settings may hold device passwords and keys; their string forms (what a log or error would show) must not. */
class SettingsStringFormTest {
    private static final String PASSWORD = "s3cret-device-password";
    private static final String FORWARDER_KEY = "forwarder-private-key-material";

    @Test
    void settingsShowTheirKeysButNotTheirValues() {
        EndpointDefinition endpoint = new EndpointDefinition(new EndpointSpec("router-1", "blue", Map.of()), "netconf",
                Map.of("host", "10.0.0.1", "password", PASSWORD));
        EnsmSettings settings = new EnsmSettings("ensm", new InetSocketAddress("127.0.0.1", 5003), "tcp://127.0.0.1:5003", null,
                Path.of("data"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(1), 1500, 1, 10,
                List.of(), List.of(endpoint), "bridge", Map.of("key", FORWARDER_KEY));
        SecretScan scan = SecretScan.of().secret("device password", PASSWORD).secret("forwarder key", FORWARDER_KEY);

        scan.assertClean("EnsmSettings.toString", settings.toString());
        assertThat(endpoint.toString()).contains("router-1", "netconf", "password", "host");
        assertThat(settings.toString()).contains("forwarderSettings=[key]");
    }
}
