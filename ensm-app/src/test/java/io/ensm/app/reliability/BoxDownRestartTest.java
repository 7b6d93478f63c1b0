package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.app.e2e.EnsmProcess;
import io.ensm.core.testing.Requests;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A site's power cut as ensm sees it: the real service (its own JVM) with two real netconfd
 * boxes; it is stopped, one box goes down, connections on that box expire meanwhile, and the
 * service starts again while the box is still down. It must start, serve the other box, say once
 * that the box is failing, and finish the releases once the box is back. Store file (SQLite) and
 * boxes (OpenSSH) are read independently of ensm's code.
 */
@Tag("netconf-testbed")
class BoxDownRestartTest {
    static final Duration RECONCILE = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    NetconfBox down;
    NetconfBox up;
    EnsmProcess ensm;
    ManagedChannel channel;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (ensm != null) {
            ensm.kill();
        }
        for (NetconfBox b : new NetconfBox[] {down, up}) {
            if (b != null) {
                b.close();
                assertThat(b.leftovers()).as("test bed leftovers").isEmpty();
            }
        }
    }

    private Map<String, String> settings() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", "ensm-box-down");
        // the boxes' read-back (NetconfBox.marked) counts the marks of the reliability lab's cluster
        p.put("ensm.cluster", "ensm-reliability");
        endpoint(p, 0, "box-a", down, "10.84.0.0/24");
        endpoint(p, 1, "box-b", up, "10.85.0.0/24");
        p.put("ensm.reconcile-interval", RECONCILE.toSeconds() + "s");
        return p;
    }

    private static void endpoint(Map<String, String> p, int i, String name, NetconfBox box, String cidr) {
        Lab.netconfEndpoint(p, i, name, box, "eth1", "ens-up", cidr);
        String e = "ensm.endpoints[" + i + "].backend.settings.";
        p.put(e + "vlans", "3510-3519");
        p.put(e + "connect-timeout", "2s");
        p.put(e + "rpc-timeout", "2s");
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub ns() {
        if (channel == null) {
            channel = NettyChannelBuilder.forTarget(ensm.target()).usePlaintext().build();
        }
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private String request(String endpoint, Instant expires) {
        Connection reply = ns().request(Requests.request().service(endpoint + "-net").expires(expires).mechanisms(Requests.vlan()).build());
        return Lab.ownId(reply);
    }

    @Test
    void aRestartWithExpiredConnectionsOnABoxThatIsDownStartsServesTheOtherBoxAndReleasesOnceItIsBack() throws Exception {
        down = NetconfBox.start("box-down-a", 18800);
        up = NetconfBox.start("box-down-b", 18805);
        ensm = new EnsmProcess(dir, settings()).start();

        Instant soon = Instant.now().plusSeconds(8);
        List<String> expiring = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expiring.add(request("box-a", soon));
        }
        String steady = request("box-a", Instant.now().plus(Duration.ofHours(2)));
        assertThat(down.marked().keySet()).containsExactlyInAnyOrder(expiring.get(0), expiring.get(1), expiring.get(2), steady);

        // The power cut: ensm stops, the box goes down, its three short connections expire meanwhile.
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        channel = null;
        assertThat(ensm.stop()).as("exit code after SIGTERM").isIn(0, 143);
        down.stopSsh();
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), soon).toMillis()) + 1000);

        long t0 = System.nanoTime();
        ensm.start();
        Duration startup = Duration.ofNanos(System.nanoTime() - t0);
        Map<String, String> store = Lab.store(ensm);
        for (String id : expiring) {
            assertThat(store).as("store after the start, box down").containsEntry(id, "RELEASING");
        }
        assertThat(store).containsEntry(steady, "APPLIED");

        String other = request("box-b", Instant.now().plus(Duration.ofMinutes(10)));
        assertThat(up.marked().keySet()).as("the other box serves while box-a is down").containsExactly(other);
        ns().close(Lab.byOwnId(other));
        assertThat(up.marked()).isEmpty();

        // Several passes while the box stays down: one warning of the reconciler for it, not one per connection and pass.
        Thread.sleep(RECONCILE.multipliedBy(3).toMillis());
        List<String> warnings = ensm.log().lines()
                .filter(l -> l.contains(" WARN ") && l.contains("core.recovery") && l.contains("box-a")).toList();
        assertThat(warnings).as("reconciler warnings about box-a\n%s", ensm.log()).hasSize(1);
        assertThat(warnings.getFirst()).contains("event=reconcile-endpoint-failing", "failed=4", "connection refused");
        // Three expiries whose release failed at start, and connects retried at each pass: one WARN each.
        for (String event : List.of("event=release-failed", "event=netconf_connect_failed")) {
            assertThat(ensm.log().lines().filter(l -> l.contains(" WARN ") && l.contains(event) && l.contains("box-a")).count())
                    .as("%s warnings about box-a\n%s", event, ensm.log()).isEqualTo(1);
        }

        down.startSsh();
        long back = System.nanoTime();
        assertThat(waitFor(Duration.ofSeconds(30), () -> Lab.store(ensm).equals(Map.of(steady, "APPLIED"))))
                .as("releases finished once the box is back; store %s\n%s", Lab.store(ensm), ensm.log()).isTrue();
        Duration released = Duration.ofNanos(System.nanoTime() - back);
        assertThat(down.marked().keySet()).as("box-a after the releases").containsExactly(steady);
        // The pass logs the recovery when it ends, after its releases have left the store.
        assertThat(waitFor(Duration.ofSeconds(10), () -> ensm.log().contains("event=reconcile-endpoint-recovered endpoint=box-a")))
                .as("the reconciler's recovery line for box-a\n%s", ensm.log()).isTrue();

        ns().close(Lab.byOwnId(steady));
        assertThat(down.marked()).isEmpty();
        assertThat(Lab.store(ensm)).isEmpty();
        assertThat(ensm.log()).contains("event=release-recovered endpoint=box-a failed_meanwhile=3");
        System.out.printf("box-down restart: started in %.1f s with box-a down; releases done %.1f s after it was back%n",
                startup.toMillis() / 1000.0, released.toMillis() / 1000.0);
    }

    private static boolean waitFor(Duration limit, BooleanSupplier done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            NetconfBox.sleep(200);
        }
        return done.getAsBoolean();
    }
}
