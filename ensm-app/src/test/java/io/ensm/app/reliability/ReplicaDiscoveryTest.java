package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.testing.ListedFileSource;
import io.ensm.core.testing.Requests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two ensm replicas on a real etcd cluster that find box-1 (a real netconfd box) through an
 * endpoint source while they serve, box-2 being listed: box-1 is held, fenced, served and registered
 * by exactly one replica; when that replica is killed another adopts it with its connection; when
 * the source stops listing it, its holder ends its registration and its owner key once its
 * connection is closed.
 */
@Tag("netconf-testbed")
@Tag("etcd-testbed")
class ReplicaDiscoveryTest {
    private static final Duration LEASE_TTL = ReplicaBed.LEASE_TTL;
    /** Two replicas: one holds box-1, the other takes it over. */
    private static final List<String> REPLICAS = ReplicaBed.REPLICAS.subList(0, 2);
    private static final Pattern FENCE = Pattern.compile("ensm-fence@ensm-reliability:(\\d+)");

    @TempDir
    Path dir;
    private ReplicaBed bed;
    private final Map<String, String> listed = new LinkedHashMap<>();

    @AfterEach
    void cleanUp() {
        if (bed != null) {
            bed.close();
        }
    }

    private Path listing() {
        return dir.resolve("found.properties");
    }

    /** box-1's endpoint leaves ensm.endpoints for the source's file (listed later); box-2 stays listed. */
    private void discoverBox1(Map<String, String> settings) {
        Map<String, String> moved = new LinkedHashMap<>();
        for (String key : List.copyOf(settings.keySet())) {
            if (key.startsWith("ensm.endpoints[")) {
                String value = settings.remove(key);
                int i = Integer.parseInt(key.substring("ensm.endpoints[".length(), key.indexOf(']')));
                String rest = key.substring(key.indexOf(']') + 1);
                if (i == 0) {
                    listed.put("endpoints[0]" + rest, value);
                } else {
                    moved.put("ensm.endpoints[" + (i - 1) + "]" + rest, value);
                }
            }
        }
        settings.putAll(moved);
        ListedFileSource.write(listing(), Map.of()); // found once the replicas serve
        settings.put("ensm.discovery[0].name", "found");
        settings.put("ensm.discovery[0].type", ListedFileSource.TYPE);
        settings.put("ensm.discovery[0].interval", "1s");
        settings.put("ensm.discovery[0].settings.file", listing().toString());
    }

    private String url(String replica) {
        return "tcp://" + bed.replica(replica).target();
    }

    private long fenceOnBox1() {
        String description = bed.box(0).interfaces().get("eth1").description();
        Matcher m = FENCE.matcher(description);
        assertThat(m.find()).as("a fence token on box-1's port: '%s'", description).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aDiscoveredBoxIsServedByOneReplicaMovesWhenItDiesAndIsReleasedWhenItVanishes() throws Exception {
        long started = System.nanoTime();
        bed = ReplicaBed.start(dir, "discovery", 19200, REPLICAS.size(), 2, this::discoverBox1);
        long bedStart = (System.nanoTime() - started) / 1_000_000;
        bed.settle();
        assertThat(bed.keys("owners/")).as("owner keys before box-1 is found").doesNotContain("owners/box-1");
        ListedFileSource.write(listing(), listed);
        for (String r : REPLICAS) {
            assertThat(ReplicaBed.waitFor(Duration.ofSeconds(10), () -> bed.replica(r).log()
                    .contains("event=endpoint-discovered source=found endpoint=box-1")))
                    .as("found by %s", r).isTrue();
        }

        String holder = bed.holderOf("box-1", REPLICAS, Duration.ofSeconds(30));
        for (String other : REPLICAS) {
            if (!other.equals(holder)) {
                assertThatThrownBy(() -> bed.ns(other).request(ReplicaBed.request("box-1")))
                        .as("%s sends callers to the holder", other)
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(ReplicaBed.servedBy(e)).contains(holder);
                        });
            }
        }
        String holderUrl = url(holder);
        assertThat(ReplicaBed.waitFor(Duration.ofSeconds(10), () -> bed.registeredUrls("box-1").equals(List.of(holderUrl))))
                .as("the registry names the holder only; it has %s", bed.registeredUrls("box-1")).isTrue();
        // Longer than the registration expiry (3 s): another replica's registration would have replaced it by now.
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < until) {
            assertThat(bed.registeredUrls("box-1")).as("box-1 in the registry").containsExactly(holderUrl);
            Thread.sleep(250);
        }
        assertThat(bed.keys("owners/")).as("owner keys").contains("owners/box-1");
        long firstFence = fenceOnBox1();

        NetworkServiceRequest first = ReplicaBed.request("box-1");
        Connection reply = bed.ns(holder).request(first);
        String id = Lab.ownId(reply);
        assertThat(bed.box(0).marked().keySet()).containsExactly(id);

        long t0 = System.nanoTime();
        bed.replica(holder).kill();
        List<String> others = REPLICAS.stream().filter(r -> !r.equals(holder)).toList();
        String taker = bed.holderOf("box-1", others, LEASE_TTL.plusSeconds(15));
        Duration failover = Duration.ofNanos(System.nanoTime() - t0);
        String takerUrl = url(taker);
        assertThat(ReplicaBed.waitFor(Duration.ofSeconds(10), () -> bed.registeredUrls("box-1").equals(List.of(takerUrl))))
                .as("the registry names the taker; it has %s", bed.registeredUrls("box-1")).isTrue();
        assertThat(fenceOnBox1()).as("the taker's newer token on the box").isGreaterThan(firstFence);
        assertThat(bed.box(0).marked().keySet()).as("the connection kept through the failover").containsExactly(id);
        Connection refreshed = bed.ns(taker).request(Requests.refreshOf(first, reply, Instant.now().plus(Duration.ofMinutes(10))));
        assertThat(Lab.ownId(refreshed)).isEqualTo(id);
        assertThat(bed.replica(taker).log()).contains("event=endpoint-held endpoint=box-1");

        // The source stops listing box-1: it stays for its connection, then goes with it.
        ListedFileSource.write(listing(), Map.of());
        assertThat(ReplicaBed.waitFor(Duration.ofSeconds(10), () -> bed.replica(taker).log().contains("event=endpoint-withdrawn source=found endpoint=box-1")))
                .as("withdrawn by the taker").isTrue();
        Thread.sleep(2000); // a couple of syncs
        assertThat(bed.registeredUrls("box-1")).as("still registered while its connection lives").containsExactly(takerUrl);
        assertThat(bed.keys("owners/")).contains("owners/box-1");
        bed.ns(taker).close(Lab.byOwnId(id));
        assertThat(bed.box(0).marked()).isEmpty();
        assertThat(ReplicaBed.waitFor(Duration.ofSeconds(10),
                () -> bed.registeredUrls("box-1").isEmpty() && !bed.keys("owners/").contains("owners/box-1")))
                .as("unregistered (%s) and its owner key gone (%s)", bed.registeredUrls("box-1"), bed.keys("owners/")).isTrue();
        for (String r : others) {
            String name = r;
            assertThat(ReplicaBed.waitFor(Duration.ofSeconds(10), () -> bed.replica(name).log()
                    .contains("event=endpoint-removed source=found endpoint=box-1")))
                    .as("removed by %s", r).isTrue();
        }
        Thread.sleep(2000);
        assertThat(bed.keys("owners/")).as("not taken again").doesNotContain("owners/box-1");
        assertThat(bed.registeredUrls("box-1")).isEmpty();
        assertThat(bed.keys("owners/")).as("the listed box keeps its holder").contains("owners/box-2");
        System.out.printf("discovered box-1: %s killed, %s served it after %d ms (lease TTL %d s); bed started in %d ms, test %d ms%n",
                holder, taker, failover.toMillis(), LEASE_TTL.toSeconds(), bedStart, (System.nanoTime() - started) / 1_000_000);
    }
}
