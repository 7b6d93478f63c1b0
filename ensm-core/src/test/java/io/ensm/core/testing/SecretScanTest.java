package io.ensm.core.testing;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretScanTest {
    @Test
    void findsAPlantedKeyLineAndNamesItWithoutTheValue() {
        TestCa.Svid svid = TestCa.create("example.org").issue("x", Duration.ofMinutes(1));
        SecretScan scan = SecretScan.of().privateKey("svid key", svid.key(), svid.keyPemLines());
        String leaked = "line one\nerror: " + svid.keyPemLines().get(1) + "\n";
        assertThatThrownBy(() -> scan.assertClean("log", leaked))
                .hasMessageContaining("svid key (PEM line 2) at line 2")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(svid.keyPemLines().get(1)));
        scan.assertClean("clean log", "nothing here");
    }

    @Test
    void findsATokensSignatureAlone() {
        SecretScan scan = SecretScan.of().token("token", "aaaaaaaa.bbbbbbbb.signature-part");
        assertThat(scan.findings("x signature-part y")).containsExactly("token (signature) at line 1");
    }

    @Test
    void refusesToProveNothing() {
        assertThatThrownBy(() -> SecretScan.of().assertClean("log", "x")).hasMessageContaining("no secrets");
        assertThatThrownBy(() -> SecretScan.of().secret("pw", "short")).hasMessageContaining("shorter");
    }

    @Test
    void findsAPasswordInsideBase64AtAnyAlignmentAndUrlEncoded() {
        String pw = SecretScan.randomSecret();
        assertThat(pw).hasSize(24);
        SecretScan scan = SecretScan.of().password("pw", pw);
        for (String prefix : List.of("", "u:", "us:")) {
            String basic = java.util.Base64.getEncoder().encodeToString((prefix + pw).getBytes(StandardCharsets.UTF_8));
            assertThat(scan.findings("Authorization: Basic " + basic)).as(prefix).isNotEmpty();
        }
        assertThat(scan.findings("https://u:" + java.net.URLEncoder.encode(pw, StandardCharsets.UTF_8) + "@h/"))
                .containsExactly("pw (URL-encoded) at line 1");
        assertThat(scan.findings("an ordinary log line")).isEmpty();
    }
}
