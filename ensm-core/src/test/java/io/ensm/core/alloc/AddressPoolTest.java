package io.ensm.core.alloc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressPoolTest {

    private static AddressPool pool(String... cidrs) {
        return new AddressPool("fabric-breakout", List.of(cidrs));
    }

    private static void assertStatus(Throwable t, Status.Code code, String... fragments) {
        assertThat(t).isInstanceOf(StatusRuntimeException.class);
        Status status = ((StatusRuntimeException) t).getStatus();
        assertThat(status.getCode()).isEqualTo(code);
        for (String f : fragments) {
            assertThat(status.getDescription()).contains(f);
        }
    }

    @Test
    void firstAddressOfPairGoesToEndpointAndSecondToClient() {
        AddressPair pair = pool("10.0.0.0/29").allocate("c1", List.of());
        assertThat(pair.endpointAddrs()).containsExactly("10.0.0.1/32");
        assertThat(pair.clientAddrs()).containsExactly("10.0.0.2/32");
    }

    @Test
    void slash30GivesExactlyOnePairThenResourceExhausted() {
        AddressPool p = pool("172.16.0.0/30");
        AddressPair pair = p.allocate("c1", List.of());
        assertThat(pair.endpointAddrs()).containsExactly("172.16.0.1/32");
        assertThat(pair.clientAddrs()).containsExactly("172.16.0.2/32");
        assertThatThrownBy(() -> p.allocate("c2", List.of())).satisfies(t -> assertStatus(t,
                Status.Code.RESOURCE_EXHAUSTED, "address pool 172.16.0.0/30 of service fabric-breakout is exhausted"));
    }

    @Test
    void networkAndBroadcastAddressesAreNeverHandedOut() {
        AddressPool p = pool("10.9.0.0/28");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            AddressPair pair = p.allocate("c" + i, List.of());
            seen.addAll(pair.endpointAddrs());
            seen.addAll(pair.clientAddrs());
        }
        assertThat(seen).hasSize(14).doesNotContain("10.9.0.0/32", "10.9.0.15/32");
        assertThatThrownBy(() -> p.allocate("c7", List.of())).isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void slash31IsOnePointToPointPairUsingBothAddresses() {
        AddressPool p = pool("192.0.2.0/31");
        AddressPair pair = p.allocate("c1", List.of());
        assertThat(pair.endpointAddrs()).containsExactly("192.0.2.0/32");
        assertThat(pair.clientAddrs()).containsExactly("192.0.2.1/32");
        assertThatThrownBy(() -> p.allocate("c2", List.of())).isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void hostPrefixesAreRejectedNamingTheCidr() {
        assertThatThrownBy(() -> pool("10.0.0.7/32")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.0.7/32").hasMessageContaining("no room");
        assertThatThrownBy(() -> pool("fd00::7/128")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fd00::7/128");
    }

    @Test
    void malformedOrOverlappingCidrsAreRejectedNamingThem() {
        assertThatThrownBy(() -> pool("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> pool("10.0.0.0/24", "10.0.0.128/25")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.0.128/25");
    }

    @Test
    void ipv6Slash64AllocatesWithoutEnumeratingTheSpace() {
        AddressPool p = pool("fd00:1::/64");
        AddressPair a = p.allocate("a", List.of());
        AddressPair b = p.allocate("b", List.of());
        assertThat(a.endpointAddrs()).containsExactly("fd00:1::1/128");
        assertThat(a.clientAddrs()).containsExactly("fd00:1::2/128");
        assertThat(b.endpointAddrs()).containsExactly("fd00:1::3/128");
        assertThat(b.clientAddrs()).containsExactly("fd00:1::4/128");
    }

    @Test
    void ipv6Slash64TopPairCanBeRestoredAndExcludedRangesAreSkipped() {
        AddressPool p = pool("fd00:1::/64");
        // pairs start after the network address, so the last address of the /64 stays unpaired
        p.restore("top", List.of("fd00:1::ffff:ffff:ffff:fffd/128"), List.of("fd00:1::ffff:ffff:ffff:fffe/128"));
        assertThatThrownBy(() -> p.restore("x", List.of("fd00:1::ffff:ffff:ffff:fffe/128"), List.of("fd00:1::ffff:ffff:ffff:ffff/128")))
                .isInstanceOf(IllegalArgumentException.class);
        // the pair straddling the excluded lower half is skipped as well
        AddressPair pair = p.allocate("c", List.of("fd00:1::/65"));
        assertThat(pair.endpointAddrs()).containsExactly("fd00:1::8000:0:0:1/128");
        assertThat(pair.clientAddrs()).containsExactly("fd00:1::8000:0:0:2/128");
        assertThat(p.inUse()).isEqualTo(2);
    }

    @Test
    void ipv6Slash126GivesOnePairSkippingOnlyTheNetworkAddress() {
        AddressPool p = pool("fd00::/126");
        AddressPair pair = p.allocate("c1", List.of());
        assertThat(pair.endpointAddrs()).containsExactly("fd00::1/128");
        assertThat(pair.clientAddrs()).containsExactly("fd00::2/128");
        assertThatThrownBy(() -> p.allocate("c2", List.of())).satisfies(t ->
                assertStatus(t, Status.Code.RESOURCE_EXHAUSTED, "fd00::/126"));
    }

    @Test
    void dualStackGivesOnePairPerFamily() {
        AddressPair pair = pool("fd00::/120", "10.0.0.0/24").allocate("c1", List.of());
        assertThat(pair.endpointAddrs()).containsExactly("10.0.0.1/32", "fd00::1/128");
        assertThat(pair.clientAddrs()).containsExactly("10.0.0.2/32", "fd00::2/128");
    }

    @Test
    void dualStackExhaustionOfOneFamilyTakesNothingFromTheOther() {
        AddressPool p = pool("10.0.0.0/24", "fd00::/126");
        p.allocate("c1", List.of());
        assertThatThrownBy(() -> p.allocate("c2", List.of())).isInstanceOf(StatusRuntimeException.class);
        assertThat(p.inUse()).isEqualTo(1);
        p.release("c1");
        assertThat(p.allocate("c3", List.of()).endpointAddrs()).containsExactly("10.0.0.1/32", "fd00::1/128");
    }

    @Test
    void excludedPrefixesAreSkipped() {
        AddressPool p = pool("10.0.0.0/24");
        AddressPair pair = p.allocate("c1", List.of("10.0.0.0/28", "10.0.0.17/32", "192.168.0.0/16"));
        // .1-.15 excluded; pair (.17,.18) touches an excluded address, so the first clean pair is (.19,.20)
        assertThat(pair.endpointAddrs()).containsExactly("10.0.0.19/32");
        assertThat(pair.clientAddrs()).containsExactly("10.0.0.20/32");
        assertThat(p.allocate("c2", List.of()).endpointAddrs()).containsExactly("10.0.0.1/32");
    }

    @Test
    void exclusionsCoveringThePoolExhaustIt() {
        AddressPool p = pool("10.0.0.0/24", "10.1.0.0/30");
        assertThat(p.allocate("c1", List.of("10.0.0.0/24")).endpointAddrs()).containsExactly("10.1.0.1/32");
        assertThatThrownBy(() -> p.allocate("c2", List.of("10.0.0.0/8"))).satisfies(t ->
                assertStatus(t, Status.Code.RESOURCE_EXHAUSTED, "10.0.0.0/24, 10.1.0.0/30", "fabric-breakout", "10.0.0.0/8"));
    }

    @Test
    void malformedExcludedPrefixIsInvalidArgumentNamingIt() {
        assertThatThrownBy(() -> pool("10.0.0.0/24").allocate("c1", List.of("10.0.0/8"))).satisfies(t ->
                assertStatus(t, Status.Code.INVALID_ARGUMENT, "10.0.0/8"));
    }

    @Test
    void refreshOfKnownIdReturnsSameAddresses() {
        AddressPool p = pool("10.0.0.0/24", "fd00::/64");
        AddressPair first = p.allocate("c1", List.of());
        p.allocate("c2", List.of());
        assertThat(p.allocate("c1", List.of("10.0.0.0/24"))).isEqualTo(first);
        assertThat(p.inUse()).isEqualTo(2);
    }

    @Test
    void releaseFreesTheAddressesForReuse() {
        AddressPool p = pool("172.16.0.0/30");
        p.allocate("c1", List.of());
        p.release("c1");
        p.release("unknown");
        assertThat(p.inUse()).isZero();
        assertThat(p.allocate("c2", List.of()).endpointAddrs()).containsExactly("172.16.0.1/32");
    }

    @Test
    void restoreRebuildsThePoolSoNewAllocationsAvoidRestoredAddresses() {
        AddressPool p = pool("10.0.0.0/29", "fd00::/64");
        p.restore("old", List.of("10.0.0.1/32", "fd00::1/128"), List.of("10.0.0.2/32", "fd00::2/128"));
        p.restore("old", List.of("10.0.0.1/32", "fd00::1/128"), List.of("10.0.0.2/32", "fd00::2/128"));
        assertThat(p.inUse()).isEqualTo(1);
        assertThat(p.allocate("old", List.of()).endpointAddrs()).containsExactly("10.0.0.1/32", "fd00::1/128");
        assertThat(p.allocate("new", List.of()).endpointAddrs()).containsExactly("10.0.0.3/32", "fd00::3/128");
        p.release("old");
        assertThat(p.allocate("newer", List.of()).endpointAddrs()).containsExactly("10.0.0.1/32", "fd00::1/128");
    }

    @Test
    void conflictingRestoreFails() {
        AddressPool p = pool("10.0.0.0/29");
        p.restore("a", List.of("10.0.0.3/32"), List.of("10.0.0.4/32"));
        assertThatThrownBy(() -> p.restore("b", List.of("10.0.0.3/32"), List.of("10.0.0.4/32")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("10.0.0.3/32").hasMessageContaining("b");
        assertThatThrownBy(() -> p.restore("a", List.of("10.0.0.5/32"), List.of("10.0.0.6/32")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.restore("c", List.of("10.0.0.4/32"), List.of("10.0.0.3/32")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an address pair");
        assertThatThrownBy(() -> p.restore("d", List.of("10.5.0.1/32"), List.of("10.5.0.2/32")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(p.inUse()).isEqualTo(1);
    }

    @Test
    void concurrentAllocationsOfDistinctIdsNeverShareAnAddress() throws Exception {
        AddressPool p = pool("10.0.0.0/20", "fd00::/64");
        int threads = 8;
        int perThread = 250;
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        String id = "t" + thread + "-" + i;
                        AddressPair pair = p.allocate(id, List.of());
                        if (i % 5 == 0) {
                            p.allocate(id, List.of()); // a refresh in between
                        }
                        for (String a : pair.endpointAddrs()) {
                            if (!seen.add(a)) duplicates.add(a);
                        }
                        for (String a : pair.clientAddrs()) {
                            if (!seen.add(a)) duplicates.add(a);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(duplicates).isEmpty();
        assertThat(seen).hasSize(threads * perThread * 4);
        assertThat(p.inUse()).isEqualTo(threads * perThread);
    }

    @Test
    void emptyPoolHandsOutNoAddresses() {
        AddressPool p = new AddressPool("l2-only", List.of());
        assertThat(p.allocate("c1", List.of())).isEqualTo(AddressPair.EMPTY);
        p.restore("c1", List.of(), List.of());
        assertThat(p.inUse()).isZero();
    }
}
