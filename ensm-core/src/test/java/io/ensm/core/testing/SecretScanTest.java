package io.ensm.core.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;

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
}
