package io.ensm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ensm.api.registry.Destination;
import io.ensm.api.registry.Match;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointMatcherTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final NetworkServiceEndpoint A = EmbeddedEndpointRegistryTest.nse("a", "vlan", Map.of("node", "n1", "tier", "gold"), "tcp://a");
    private static final NetworkServiceEndpoint B = EmbeddedEndpointRegistryTest.nse("b", "vlan", Map.of("node", "n2"), "tcp://b");
    private static final List<NetworkServiceEndpoint> BOTH = List.of(A, B);

    private static Match match(Map<String, String> source, boolean fallthrough, Map<String, String> destination) {
        return Match.newBuilder().putAllSourceSelector(source).setFallthrough(fallthrough)
                .addRoutes(Destination.newBuilder().putAllDestinationSelector(destination)).build();
    }

    private static NetworkService service(Match... matches) {
        return NetworkService.newBuilder().setName("vlan").addAllMatches(List.of(matches)).build();
    }

    private static List<String> names(List<NetworkServiceEndpoint> nses) {
        return nses.stream().map(NetworkServiceEndpoint::getName).toList();
    }

    @Test
    void serviceWithoutMatchesAcceptsEveryEndpoint() {
        assertThat(names(EndpointMatcher.match(service(), Map.of(), BOTH, NOW))).containsExactly("a", "b");
    }

    @Test
    void firstMatchWhoseSourceSelectorFitsDecides() {
        NetworkService ns = service(
                match(Map.of("app", "other"), false, Map.of("node", "n1")),
                match(Map.of("app", "web"), false, Map.of("node", "n2")));

        assertThat(names(EndpointMatcher.match(ns, Map.of("app", "web", "x", "y"), BOTH, NOW))).containsExactly("b");
    }

    @Test
    void emptyResultWithoutFallthroughStopsEmpty() {
        NetworkService ns = service(
                match(Map.of(), false, Map.of("node", "n9")),
                match(Map.of(), false, Map.of("node", "n1")));

        assertThat(EndpointMatcher.match(ns, Map.of(), BOTH, NOW)).isEmpty();
    }

    @Test
    void emptyResultWithFallthroughMovesToTheNextMatch() {
        NetworkService ns = service(
                match(Map.of(), true, Map.of("node", "n9")),
                match(Map.of(), false, Map.of("tier", "gold")));

        assertThat(names(EndpointMatcher.match(ns, Map.of(), BOTH, NOW))).containsExactly("a");
    }

    @Test
    void anyRouteOfTheMatchQualifiesAnEndpoint() {
        Match m = Match.newBuilder()
                .addRoutes(Destination.newBuilder().putDestinationSelector("node", "n1"))
                .addRoutes(Destination.newBuilder().putDestinationSelector("node", "n2")).build();

        assertThat(names(EndpointMatcher.match(service(m), Map.of(), BOTH, NOW))).containsExactly("a", "b");
    }

    @Test
    void templateValuesAreFilledFromRequestLabels() {
        NetworkService ns = service(match(Map.of(), false, Map.of("node", "{{.nodeName}}")));

        assertThat(names(EndpointMatcher.match(ns, Map.of("nodeName", "n2"), BOTH, NOW))).containsExactly("b");
        assertThat(EndpointMatcher.match(ns, Map.of(), BOTH, NOW)).as("missing key matches nothing").isEmpty();
        assertThat(EndpointMatcher.substitute("x-{{ .nodeName }}-y", Map.of("nodeName", "n1"))).isEqualTo("x-n1-y");
    }

    @Test
    void templatesWorkInSourceSelectorsToo() {
        NetworkService ns = service(match(Map.of("peer", "{{.nodeName}}"), false, Map.of("node", "n1")));

        assertThat(names(EndpointMatcher.match(ns, Map.of("nodeName", "n1", "peer", "n1"), BOTH, NOW))).containsExactly("a");
    }

    @Test
    void expiredEndpointsAreDropped() {
        NetworkServiceEndpoint expired = A.toBuilder().setExpirationTime(ProtoTime.toTimestamp(NOW)).build();
        NetworkServiceEndpoint alive = B.toBuilder().setExpirationTime(ProtoTime.toTimestamp(NOW.plusSeconds(1))).build();

        assertThat(names(EndpointMatcher.match(service(), Map.of(), List.of(expired, alive), NOW))).containsExactly("b");
    }

    @Test
    void whenNoMatchAppliesEveryEndpointQualifiesAsInNsm() {
        NetworkService ns = service(match(Map.of("app", "web"), false, Map.of("node", "n1")));

        assertThat(names(EndpointMatcher.match(ns, Map.of("app", "db"), BOTH, NOW))).containsExactly("a", "b");
    }
}
