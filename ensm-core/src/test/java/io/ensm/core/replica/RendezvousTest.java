package io.ensm.core.replica;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RendezvousTest {
    private static final List<String> ENDPOINTS = IntStream.range(0, 300).mapToObj(i -> "box-" + i).toList();

    private static Map<String, String> spread(List<String> replicas) {
        Map<String, String> out = new HashMap<>();
        ENDPOINTS.forEach(e -> out.put(e, Rendezvous.choose(e, replicas).orElseThrow()));
        return out;
    }

    @Test
    void everyReplicaComputesTheSameHolderWhateverTheOrderOfTheMemberList() {
        assertThat(spread(List.of("ensm-a", "ensm-b", "ensm-c"))).isEqualTo(spread(List.of("ensm-c", "ensm-a", "ensm-b")));
    }

    @Test
    void endpointsAreSpreadOverTheReplicas() {
        Map<String, Long> counts = new HashMap<>();
        spread(List.of("ensm-a", "ensm-b", "ensm-c")).values().forEach(r -> counts.merge(r, 1L, Long::sum));
        assertThat(counts).hasSize(3);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(70L, 130L));
    }

    @Test
    void whenAReplicaLeavesOnlyItsEndpointsMoveAndWhenItComesBackOnlyTheyReturn() {
        Map<String, String> three = spread(List.of("ensm-a", "ensm-b", "ensm-c"));
        Map<String, String> two = spread(List.of("ensm-a", "ensm-b"));
        ENDPOINTS.forEach(e -> {
            if (!three.get(e).equals("ensm-c")) {
                assertThat(two.get(e)).as(e + " stays where it was").isEqualTo(three.get(e));
            }
        });
        assertThat(spread(List.of("ensm-b", "ensm-a", "ensm-c"))).isEqualTo(three);
    }

    @Test
    void noReplicasNoHolder() {
        assertThat(Rendezvous.choose("box-1", List.of())).isEmpty();
    }
}
