package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.spi.StepProbe;
import io.ensm.core.testing.Requests;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three ensm replicas (their own JVMs) on a real three-member etcd cluster, with three real
 * netconfd boxes: each box is served by one replica; when that replica is killed, another takes the
 * box over within the lease's TTL and a second, keeps every connection on it (nothing torn down)
 * and serves refreshes and new Requests for it. Boxes are read through OpenSSH, the store with an
 * etcd client of the tests' own, independently of the service.
 */
@Tag("netconf-testbed")
@Tag("etcd-testbed")
class ReplicaFailoverTest {
    private static final Duration LEASE_TTL = ReplicaBed.LEASE_TTL;
    private static final List<String> REPLICAS = ReplicaBed.REPLICAS;

    @TempDir
    Path dir;
    private ReplicaBed bed;

    @AfterEach
    void cleanUp() {
        if (bed != null) {
            bed.close();
        }
    }

    /** The etcd cluster, three boxes and three replicas on them. */
    private void startAll() {
        bed = ReplicaBed.start(dir, "replicas", 18820);
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub ns(String replica) {
        return bed.ns(replica);
    }

    private static NetworkServiceRequest request(String box) {
        return ReplicaBed.request(box);
    }

    private String holderOf(String box, List<String> among, Duration within) {
        return bed.holderOf(box, among, within);
    }

    private java.util.Set<String> storedIds() {
        return bed.storedIds();
    }

    private java.util.Set<String> markedIds() {
        return bed.markedIds();
    }

    private String url(String replica) {
        return "tcp://" + bed.replica(replica).target();
    }

    private static boolean waitFor(Duration limit, java.util.function.BooleanSupplier done) {
        return ReplicaBed.waitFor(limit, done);
    }

    @Test
    void killingTheReplicaThatServesABoxMovesItWithinTheLeaseAndKeepsEveryConnection() throws Exception {
        startAll();

        String owner = holderOf("box-1", REPLICAS, Duration.ofSeconds(30));
        NetworkServiceRequest first = request("box-1");
        Connection reply = ns(owner).request(first);
        Connection second = ns(owner).request(request("box-1"));
        String id = Lab.ownId(reply);
        assertThat(bed.box(0).marked().keySet()).containsExactlyInAnyOrder(id, Lab.ownId(second));
        Map<String, NetconfBox.Sub> before = bed.box(0).marked();

        long t0 = System.nanoTime();
        bed.replica(owner).kill();
        List<String> others = REPLICAS.stream().filter(r -> !r.equals(owner)).toList();
        String taker = holderOf("box-1", others, LEASE_TTL.plusSeconds(15));
        Duration failover = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(bed.box(0).marked()).as("every connection still on the box, as it was").isEqualTo(before);
        Connection refreshed = ns(taker).request(Requests.refreshOf(first, reply, Instant.now().plus(Duration.ofMinutes(10))));
        assertThat(Lab.ownId(refreshed)).isEqualTo(id);
        assertThat(refreshed.getMechanism().getParametersMap()).as("the same VLAN").isEqualTo(reply.getMechanism().getParametersMap());
        assertThat(bed.replica(taker).log()).contains("event=endpoint-held endpoint=box-1");
        assertThat(storedIds()).as("records in etcd").containsExactlyInAnyOrder(id, Lab.ownId(second));
        ns(taker).close(Lab.byOwnId(id));
        ns(taker).close(Lab.byOwnId(Lab.ownId(second)));
        assertThat(bed.box(0).marked()).isEmpty();
        System.out.printf("replica failover: %s killed, %s served box-1 after %d ms (lease TTL %d s)%n", owner, taker,
                failover.toMillis(), LEASE_TTL.toSeconds());
        assertThat(failover).as("owner killed to a new owner serving").isLessThanOrEqualTo(LEASE_TTL.plusSeconds(1));
    }

    @Test
    void aReplicaPausedPastItsLeaseStepsDownWhenItWakesAndLeavesItsSuccessorsWorkAlone() throws Exception {
        startAll();
        bed.settle(); // the holder found below keeps box-2 until the pause
        String owner = holderOf("box-2", REPLICAS, Duration.ofSeconds(30));
        Connection old = ns(owner).request(request("box-2"));
        String ownerFence = fenceOn(1);
        assertThat(ownerFence).as("the holder's token on box-2's port, after the operator's text").startsWith("operator: port 1 ensm-fence@ensm-reliability:");

        // A Request of the holder stops after its intent is stored (fenced in etcd, still its own) and before its device write.
        Path pauseFile = bed.pauseFile(owner);
        Files.writeString(pauseFile, StepProbe.Step.REQUEST_INTENT_STORED.stableName());
        CompletableFuture<String> late = CompletableFuture.supplyAsync(() -> {
            try {
                ns(owner).withDeadlineAfter(90, TimeUnit.SECONDS).request(request("box-2"));
                return "OK";
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
        assertThat(waitFor(Duration.ofSeconds(20), () -> bed.replica(owner).log().contains("event=test-pause step=request.intent-stored")))
                .as("the holder's Request stopped before its device write\n%s", bed.replica(owner).log()).isTrue();
        String lateId = between(bed.replica(owner).log(), "event=test-pause step=request.intent-stored connection=", "\n");

        long pid = bed.replica(owner).pid();
        io.ensm.core.testing.Cmd.run("kill", "-STOP", Long.toString(pid));
        // On waking it goes on at once: to its device write, under the hold it had.
        Files.writeString(pauseFile, "");
        List<String> others = REPLICAS.stream().filter(r -> !r.equals(owner)).toList();
        String taker;
        Connection made;
        try {
            taker = holderOf("box-2", others, LEASE_TTL.plusSeconds(15));
            made = ns(taker).request(request("box-2"));
            String takerUrl = url(taker);
            assertThat(waitFor(Duration.ofSeconds(10), () -> bed.registeredUrls("box-2").equals(List.of(takerUrl))))
                    .as("the registry names the successor; it has %s", bed.registeredUrls("box-2")).isTrue();
        } finally {
            io.ensm.core.testing.Cmd.run("kill", "-CONT", Long.toString(pid));
        }
        // Its registration refresh was due long ago and runs the moment it wakes: it must not name the woken replica again.
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (System.nanoTime() < until) {
            assertThat(bed.registeredUrls("box-2")).as("the registry's box-2 after %s woke", owner).containsExactly(url(taker));
            Thread.sleep(50);
        }
        String takerFence = fenceOn(1);
        assertThat(token(takerFence)).as("the taker wrote its newer token at the take-over: %s, before: %s", takerFence, ownerFence)
                .isGreaterThan(token(ownerFence));

        // Its late device write is refused by the box's fence, and its next store write by etcd's.
        String answer = late.get(60, TimeUnit.SECONDS);
        assertThat(answer).as("the woken holder's Request").startsWith("ABORTED: ")
                .contains("fence read: the description of port eth1 holds fence token " + token(takerFence) + ", newer than this replica's "
                        + token(ownerFence) + ": another replica has taken the endpoint over; nothing was written");
        assertThat(bed.box(1).marked()).as("nothing of the late Request on the box").doesNotContainKey(lateId);
        assertThat(waitFor(Duration.ofSeconds(10), () -> bed.replica(owner).log().contains("event=forget-failed connection=" + lateId)))
                .as("its store write after the refused device write\n%s", bed.replica(owner).log()).isTrue();
        assertThat(between(bed.replica(owner).log(), "event=forget-failed connection=" + lateId, "\n"))
                .as("refused by the store's fence").contains("refused: this replica");
        java.util.Set<String> expected = java.util.Set.of(Lab.ownId(old), Lab.ownId(made));
        assertThat(bed.box(1).marked().keySet()).containsExactlyInAnyOrderElementsOf(expected);

        // Awake again: it must find out by itself and step down, writing nothing meanwhile.
        assertThat(waitFor(Duration.ofSeconds(15), () -> bed.replica(owner).log().contains("event=endpoint-released endpoint=box-2")))
                .as("the paused replica stepped down\n%s", bed.replica(owner).log()).isTrue();
        Thread.sleep(3 * 2000); // a few of its reconcile passes
        assertThat(bed.box(1).marked().keySet()).as("the successor's connection is still on the box")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(storedIds()).containsAll(expected);
        for (String name : REPLICAS) {
            assertThat(bed.replica(name).log()).as("no replica swept box-2").doesNotContain("event=orphans-removed endpoint=box-2");
        }
        // Back among the live replicas, it is rendezvous' choice for box-2 again and gets it back, with both connections.
        String finalHolder = holderOf("box-2", REPLICAS, Duration.ofSeconds(30));
        assertThat(bed.box(1).marked().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (String id : expected) {
            ns(finalHolder).close(Lab.byOwnId(id));
        }
        assertThat(bed.box(1).marked()).as("both closed by replica %s, which took over from %s", finalHolder, taker).isEmpty();
        assertThat(storedIds()).as("the late Request's intent rolled back by the taker").doesNotContain(lateId);
    }

    /** The description of the box's parent port eth1, where the holder of the box keeps its fence token. */
    private String fenceOn(int box) {
        return bed.box(box).interfaces().get("eth1").description();
    }

    private static long token(String description) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("ensm-fence@ensm-reliability:(\\d+)").matcher(description);
        assertThat(m.find()).as("a fence token in '%s'", description).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The text after the first {@code start} up to {@code end}; "" when absent. */
    private static String between(String text, String start, String end) {
        int i = text.indexOf(start);
        if (i < 0) {
            return "";
        }
        int from = i + start.length();
        int to = text.indexOf(end, from);
        return text.substring(from, to < 0 ? text.length() : to).strip();
    }

    @Test
    void theEtcdLeaderDyingDuringABurstOfRequestsLeavesNothingHalfProvisioned() throws Exception {
        startAll();
        bed.settle();
        java.util.Map<String, String> holder = new java.util.LinkedHashMap<>();
        for (String box : List.of("box-1", "box-2", "box-3")) {
            holder.put(box, holderOf(box, REPLICAS, Duration.ofSeconds(30)));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<String>> outcomes = new ArrayList<>();
        int leader = bed.etcd().leader();
        try {
            // 40 Requests spread over about 6 s; the leader dies after the first 8.
            for (int i = 0; i < 40; i++) {
                String box = "box-" + (1 + i % 3);
                outcomes.add(pool.submit(() -> {
                    long t = System.nanoTime();
                    try {
                        ns(holder.get(box)).withDeadlineAfter(15, TimeUnit.SECONDS).request(request(box));
                        return "ok";
                    } catch (StatusRuntimeException e) {
                        long ms = (System.nanoTime() - t) / 1_000_000;
                        assertThat(ms).as("refused within its deadline").isLessThanOrEqualTo(15_500);
                        return e.getStatus().getCode().name() + ": " + e.getStatus().getDescription();
                    }
                }));
                if (i == 8) {
                    bed.etcd().kill(leader);
                }
                Thread.sleep(150);
            }
            List<String> codes = new ArrayList<>();
            for (var f : outcomes) {
                codes.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(codes).as("each Request succeeded or was refused as unavailable").allMatch(c -> c.equals("ok")
                    || c.startsWith("UNAVAILABLE"));
            assertThat(codes.subList(0, 8)).as("before the leader died").containsOnly("ok");
            System.out.printf("etcd leader killed during 40 Requests: %d ok, %d UNAVAILABLE; first refusal: %s%n",
                    codes.stream().filter("ok"::equals).count(), codes.stream().filter(c -> c.startsWith("UNAVAILABLE")).count(),
                    codes.stream().filter(c -> !c.equals("ok")).findFirst().orElse("none"));
        } finally {
            pool.shutdownNow();
            bed.etcd().restart(leader);
        }
        assertThat(waitFor(Duration.ofSeconds(30), () -> storedIds().equals(markedIds())))
                .as("after the next passes, the boxes hold exactly what the store holds: store %s, boxes %s", storedIds(), markedIds())
                .isTrue();
    }
}
