package io.ensm.tf.backend;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Start-up where OpenSDN's server (run with auth=noauth) cannot serve as the counterpart, against
 * the double: tokens refused at start, Keystone credentials, TF down at start.
 */
class TungstenStartFaultTest {
    final TfBed bed = TfBed.onDouble();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        bed.close();
    }

    @Test
    void anUnreadableTokenFileOrARefusedTokenStopsStartUpWithoutShowingTheToken() throws Exception {
        Map<String, String> absent = bed.settings();
        absent.put("token-file", dir.resolve("absent").toString());
        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, absent)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token-file: cannot read");
        bed.api().requireToken("the-real-token");
        Path wrong = Files.writeString(dir.resolve("token"), "a-stale-token\n");
        Map<String, String> s = bed.settings();
        s.put("token-file", wrong.toString());
        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, s))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("token-file: ").contains("401").doesNotContain("a-stale-token"));
    }

    @Test
    void keystoneCredentialsFromSettingsAreUsed() throws Exception {
        bed.api().keystoneUser("ensm", "keystone-pw", "admin");
        Map<String, String> s = bed.settings();
        s.put("keystone-url", bed.api().url() + "/v3");
        s.put("keystone-username", "ensm");
        s.put("keystone-password-file", Files.writeString(dir.resolve("pw"), "keystone-pw\n").toString());
        s.put("keystone-project", "admin");

        try (TungstenBackend backend = TfBed.backend(TfBed.ENDPOINT, s)) {
            assertThat(backend.provision(bed.intent("c1", 300, "10.60.0.1/32"))).isEqualTo(new Attachment.Vlan("eth1", 300));
        }
        assertThat(bed.calls()).contains("POST /v3/auth/tokens");
    }

    @Test
    void tfDownAtStartDoesNotStopStartUpAndTheObjectsAreFoundOnFirstUse() throws Exception {
        bed.api().stop();
        try (TungstenBackend backend = TfBed.backend(TfBed.ENDPOINT, bed.settings())) {
            BackendException down = null;
            try {
                backend.provision(bed.intent("c1", 300, "10.60.0.1/32"));
            } catch (BackendException e) {
                down = e;
            }
            assertThat(down).isNotNull();
            assertThat(down.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
            assertThat(down.getMessage()).contains("find the configured TF objects");

            bed.api().restart();

            assertThat(backend.provision(bed.intent("c1", 300, "10.60.0.1/32"))).isEqualTo(new Attachment.Vlan("eth1", 300));
            assertThat(bed.interfaces()).hasSize(1);
        }
    }
}
