package io.ensm.core.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedactTest {
    @Test
    void userInfoIsCutFromValidAndBrokenUrls() {
        assertThat(Redact.url("https://ensm:pa%2Fss@keystone:5000/v3")).isEqualTo("https://***@keystone:5000/v3");
        assertThat(Redact.url("http://ensm:pa/ss@tf:8082 x")).isEqualTo("http://***@tf:8082 x");
        assertThat(Redact.url("ensm:pass@tf:8082")).isEqualTo("***@tf:8082");
        assertThat(Redact.url("http://tf:8082/v3")).isEqualTo("http://tf:8082/v3");
        assertThat(Redact.hasUserInfo("http://tf:8082")).isFalse();
        assertThat(Redact.hasUserInfo("http://a@tf:8082")).isTrue();
    }

    @Test
    void onlyAbsolutePathsAndVariableNamesAreShown() {
        assertThat(Redact.secretFile("/etc/ensm/router-1")).isEqualTo("/etc/ensm/router-1");
        assertThat(Redact.secretFile("S3cr3t+pw/x%y")).startsWith("(not shown");
        assertThat(Redact.envName("ROUTER_1_PASSWORD")).isEqualTo("ROUTER_1_PASSWORD");
        assertThat(Redact.envName("S3cr3t+pw/x%y")).startsWith("(not shown");
    }

    @Test
    void aReadFailureNamesTheProblemWithoutThePath() {
        assertThat(Redact.readFailure(new java.nio.file.NoSuchFileException("S3cr3t+pw"))).isEqualTo("no such file");
        assertThat(Redact.readFailure(new java.nio.file.FileSystemException("S3cr3t+pw", null, "Is a directory")))
                .isEqualTo("Is a directory");
    }
}
