package io.ensm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceLabels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryMatcherTest {
    private static final NetworkServiceEndpoint NSE = EmbeddedEndpointRegistryTest
            .nse("nse-1", "vlan", Map.of("site", "a", "tier", "gold"), "tcp://10.0.0.1:5001").toBuilder()
            .addNetworkServiceNames("ip").build();

    private static NetworkServiceEndpoint.Builder q() {
        return NetworkServiceEndpoint.newBuilder();
    }

    @Test
    void emptyQueryMatchesEverything() {
        assertThat(QueryMatcher.matches(q().build(), NSE)).isTrue();
        assertThat(QueryMatcher.matches(NetworkService.getDefaultInstance(), NetworkService.newBuilder().setName("x").build())).isTrue();
    }

    @Test
    void nameMustMatchExactly() {
        assertThat(QueryMatcher.matches(q().setName("nse-1").build(), NSE)).isTrue();
        assertThat(QueryMatcher.matches(q().setName("nse").build(), NSE)).isFalse();
    }

    @Test
    void serviceNamesMustBeASubset() {
        assertThat(QueryMatcher.matches(q().addNetworkServiceNames("ip").build(), NSE)).isTrue();
        assertThat(QueryMatcher.matches(q().addNetworkServiceNames("ip").addNetworkServiceNames("l2").build(), NSE)).isFalse();
    }

    @Test
    void labelsMustBeASubsetPerService() {
        var sub = NetworkServiceLabels.newBuilder().putLabels("site", "a").build();
        assertThat(QueryMatcher.matches(q().putNetworkServiceLabels("vlan", sub).build(), NSE)).isTrue();
        assertThat(QueryMatcher.matches(q().putNetworkServiceLabels("ip", sub).build(), NSE)).isFalse();
        assertThat(QueryMatcher.matches(q().putNetworkServiceLabels("vlan",
                NetworkServiceLabels.newBuilder().putLabels("site", "b").build()).build(), NSE)).isFalse();
    }

    @Test
    void urlMatchesBySubstring() {
        assertThat(QueryMatcher.matches(q().setUrl("10.0.0.1").build(), NSE)).isTrue();
        assertThat(QueryMatcher.matches(q().setUrl("10.0.0.2").build(), NSE)).isFalse();
    }

    @Test
    void servicePayloadMustMatchExactly() {
        var ns = NetworkService.newBuilder().setName("vlan").setPayload("ETHERNET").build();
        assertThat(QueryMatcher.matches(NetworkService.newBuilder().setPayload("ETHERNET").build(), ns)).isTrue();
        assertThat(QueryMatcher.matches(NetworkService.newBuilder().setPayload("IP").build(), ns)).isFalse();
        assertThat(QueryMatcher.matches(NetworkService.newBuilder().setName("vla").build(), ns)).isFalse();
    }
}
