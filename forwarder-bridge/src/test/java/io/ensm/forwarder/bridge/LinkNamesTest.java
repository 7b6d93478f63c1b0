package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Owner;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinkNamesTest {
    private static final Owner OWNER = new Owner("ensm-a");

    @Test
    void namesFitTheKernelLimitHaveOnePrefixPerRoleAndAreStable() {
        String id = "7f1c2e9a-3b1d-4c55-9e1a-0a6b2d4f8c31";
        LinkNames n = LinkNames.of(OWNER, id);
        assertThat(n.bridge()).startsWith("ensb").hasSize(15);
        assertThat(n.vxlan()).startsWith("ensx").hasSize(15);
        assertThat(n.veth()).startsWith("ensv").hasSize(15);
        assertThat(n.vlan()).startsWith("ensq").hasSize(15);
        assertThat(n.bridge().substring(4)).isEqualTo(n.vxlan().substring(4)).matches("[0-9a-f]{11}");
        assertThat(LinkNames.of(OWNER, id)).isEqualTo(n);
        assertThat(n.marker()).isEqualTo("ensm@ensm-a:" + id);
        assertThat(n.legacyMarker()).isEqualTo("ensm:" + id);
        assertThat(n.marks("ensm@ensm-a:" + id)).isTrue();
        assertThat(n.marks("ensm:" + id)).isTrue();
        assertThat(n.marks("ensm@ensm-b:" + id)).isFalse();
    }

    @Test
    void differentConnectionsGetDifferentNames() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(LinkNames.of(OWNER, UUID.randomUUID().toString()).bridge())).isTrue();
        }
    }

    @Test
    void theMarkCarriesTheOwnerAndTheConnectionId() {
        assertThat(LinkNames.markOf("ensm@ensm-a:abc")).contains(new LinkNames.Mark("ensm-a", "abc"));
        assertThat(LinkNames.markOf("ensm@ensm-a:a:b")).contains(new LinkNames.Mark("ensm-a", "a:b"));
        assertThat(LinkNames.markOf("ensm:abc")).as("written before marks named their owner").contains(new LinkNames.Mark("", "abc"));
        assertThat(LinkNames.markOf("ensm@:abc")).isEmpty();
        assertThat(LinkNames.markOf("ensm@ensm-a:")).isEmpty();
        assertThat(LinkNames.connectionIdOf("ensm@ensm-a:abc")).contains("abc");
        assertThat(LinkNames.connectionIdOf("ensm:abc")).contains("abc");
        assertThat(LinkNames.connectionIdOf("ensm:")).isEmpty();
        assertThat(LinkNames.connectionIdOf("operator's bridge")).isEmpty();
        assertThat(LinkNames.connectionIdOf("")).isEmpty();
    }

    @Test
    void aSegmentsLinksAreMarkedWithItsIdAndNamedPerAttachment() {
        LinkNames onUplink = LinkNames.ofSegment(OWNER, "segment.lan", "untagged {interface=eth1}");
        assertThat(onUplink.marker()).isEqualTo("ensm@ensm-a:segment.lan");
        assertThat(onUplink.bridge()).startsWith("ensb").hasSize(15);
        assertThat(LinkNames.ofSegment(OWNER, "segment.lan", "untagged {interface=eth1}")).isEqualTo(onUplink);
        assertThat(LinkNames.ofSegment(OWNER, "segment.lan", "untagged {interface=eth2}").bridge())
                .as("another attachment of the same segment: another bridge").isNotEqualTo(onUplink.bridge());
        assertThat(LinkNames.of(OWNER, "segment.lan").bridge()).isNotEqualTo(onUplink.bridge());
        assertThat(LinkNames.connectionIdOf(onUplink.marker())).contains("segment.lan");
    }

    @Test
    void anIdTooLongForAnAliasIsRefused() {
        assertThatThrownBy(() -> LinkNames.of(OWNER, "x".repeat(244))).hasMessageContaining("does not fit a link alias (243 at most with owner ensm-a)");
        assertThat(LinkNames.of(OWNER, "x".repeat(243)).marker()).hasSize(255);
    }
}
