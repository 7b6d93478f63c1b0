package io.ensm.forwarder.bridge;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinkNamesTest {

    @Test
    void namesFitTheKernelLimitHaveOnePrefixPerRoleAndAreStable() {
        String id = "7f1c2e9a-3b1d-4c55-9e1a-0a6b2d4f8c31";
        LinkNames n = LinkNames.of(id);
        assertThat(n.bridge()).startsWith("ensb").hasSize(15);
        assertThat(n.vxlan()).startsWith("ensx").hasSize(15);
        assertThat(n.veth()).startsWith("ensv").hasSize(15);
        assertThat(n.vlan()).startsWith("ensq").hasSize(15);
        assertThat(n.bridge().substring(4)).isEqualTo(n.vxlan().substring(4)).matches("[0-9a-f]{11}");
        assertThat(LinkNames.of(id)).isEqualTo(n);
        assertThat(n.marker()).isEqualTo("ensm:" + id);
    }

    @Test
    void differentConnectionsGetDifferentNames() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(LinkNames.of(UUID.randomUUID().toString()).bridge())).isTrue();
        }
    }

    @Test
    void theMarkCarriesTheConnectionId() {
        assertThat(LinkNames.connectionIdOf("ensm:abc")).contains("abc");
        assertThat(LinkNames.connectionIdOf("ensm:")).isEmpty();
        assertThat(LinkNames.connectionIdOf("operator's bridge")).isEmpty();
        assertThat(LinkNames.connectionIdOf("")).isEmpty();
    }

    @Test
    void anIdTooLongForAnAliasIsRefused() {
        assertThatThrownBy(() -> LinkNames.of("x".repeat(251))).hasMessageContaining("does not fit a link alias (250 at most)");
        assertThat(LinkNames.of("x".repeat(250)).marker()).hasSize(255);
    }
}
