package io.ensm.core.token;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenMetadataTest {
    @Test
    void readsGoRfc3339NanoInAnyZone() {
        assertThat(TokenMetadata.parseExpires("2030-01-02T03:04:05.123456789Z")).isEqualTo(Instant.parse("2030-01-02T03:04:05.123456789Z"));
        assertThat(TokenMetadata.parseExpires("2030-01-02T05:04:05.1+02:00")).isEqualTo(Instant.parse("2030-01-02T03:04:05.100Z"));
        assertThat(TokenMetadata.parseExpires("2030-01-02T03:04:05Z")).isEqualTo(Instant.parse("2030-01-02T03:04:05Z"));
    }

    @Test
    void writesRfc3339ThatReadsBack() {
        Instant t = Instant.parse("2030-01-02T03:04:05.120Z");
        assertThat(TokenMetadata.parseExpires(TokenMetadata.formatExpires(t))).isEqualTo(t);
    }

    @Test
    void badTimeNamesTheKey() {
        assertThatThrownBy(() -> TokenMetadata.parseExpires("tomorrow")).hasMessageContaining("nsm-client-token-expires")
                .hasMessageContaining("tomorrow");
    }
}
