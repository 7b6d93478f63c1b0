package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.testing.Requests;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One shared segment served by three replicas on the real etcd cluster, through three netconfd boxes
 * behind one uplink (so one VLAN pool): the segment has one VLAN id whichever replica its members
 * came through, every client its own address; killing the replica that holds a box keeps the
 * box's segment as it was (the new holder neither joins it again nor leaves it), and the last
 * Close on each box removes it there.
 */
@Tag("netconf-testbed")
@Tag("etcd-testbed")
class ReplicaSegmentTest {
    private static final String SEGMENT = "segment.lan";

    @TempDir
    Path dir;
    private ReplicaBed bed;

    @AfterEach
    void cleanUp() {
        if (bed != null) {
            bed.close();
        }
    }

    private static NetworkServiceRequest join(String box) {
        return Requests.request().service("lan").endpoint(box).mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build();
    }

    private record Joined(String replica, Connection reply) {
        String id() {
            return Lab.ownId(reply);
        }

        String address() {
            return reply.getContext().getIpContext().getSrcIpAddrs(0);
        }
    }

    /** A new member through whichever of {@code among} serves the box (the others refuse, naming it). */
    private Joined joinThrough(String box, List<String> among, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            for (String r : among) {
                try {
                    return new Joined(r, bed.ns(r).withDeadlineAfter(10, TimeUnit.SECONDS).request(join(box)));
                } catch (StatusRuntimeException e) {
                    switch (e.getStatus().getCode()) {
                        case UNAVAILABLE, DEADLINE_EXCEEDED -> { }
                        default -> throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no replica of " + among + " served " + box + " within " + within);
            }
            NetconfBox.sleep(100);
        }
    }

    /** Closes through the replica that serves the connection's box: a replica that does not know the id answers without acting. */
    private void closeAnywhere(String id, List<String> among) {
        for (String r : among) {
            try {
                bed.ns(r).close(Lab.byOwnId(id));
            } catch (StatusRuntimeException e) {
                continue; // another replica serves its box
            }
            if (!bed.storedIds().contains(id)) {
                return;
            }
        }
        throw new AssertionError("no replica of " + among + " closed " + id);
    }

    private int logged(String event) {
        int n = 0;
        for (String r : ReplicaBed.REPLICAS) {
            String log = bed.replica(r).log();
            for (int at = log.indexOf(event); at >= 0; at = log.indexOf(event, at + 1)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void membersThroughSeveralReplicasShareOneVlanAndAFailoverKeepsTheSegment() {
        bed = ReplicaBed.start(dir, "segments", 18940, p -> {
            p.put("ensm.services[0].name", "lan");
            p.put("ensm.services[0].cidrs[0]", "10.77.0.0/24");
            p.put("ensm.services[0].segment.gateways[0]", "10.77.0.1");
            for (int i = 0; i < 3; i++) {
                p.put("ensm.endpoints[" + i + "].service", "lan");
                // one uplink pool for the boxes: the replicas must agree on the segment's id in it
                p.put("ensm.endpoints[" + i + "].backend.settings.uplink", "ens-up-seg");
            }
        });
        bed.settle();
        List<Joined> members = new ArrayList<>();
        for (String box : List.of("box-1", "box-2", "box-3", "box-1")) {
            members.add(joinThrough(box, ReplicaBed.REPLICAS, Duration.ofSeconds(30)));
        }
        Map<String, ReplicaBed.Stored> stored = bed.stored();
        Set<Integer> vlans = new HashSet<>();
        members.forEach(m -> vlans.add(stored.get(m.id()).vlan()));
        assertThat(vlans).as("one VLAN id for the segment, through %s", members.stream().map(Joined::replica).toList()).hasSize(1);
        int vlan = vlans.iterator().next();
        assertThat(members.stream().map(Joined::address).toList()).as("one address per client").doesNotHaveDuplicates();
        Map<String, NetconfBox.Sub> box1 = bed.box(0).marked();
        assertThat(box1).containsOnlyKeys(SEGMENT);
        assertThat(box1.get(SEGMENT).vlan()).isEqualTo(Integer.toString(vlan));
        assertThat(bed.box(1).marked()).containsOnlyKeys(SEGMENT);
        assertThat(bed.box(2).marked()).containsOnlyKeys(SEGMENT);
        assertThat(members.stream().map(Joined::replica).distinct().count()).as("members came through two replicas at least")
                .isGreaterThanOrEqualTo(2);
        assertThat(bed.keys("claims/vlan/")).as("the id claimed once, by the segment").containsExactly("claims/vlan/uplink:ens-up-seg/" + vlan);
        assertThat(logged("event=segment-joined endpoint=box-1")).isEqualTo(1);

        System.out.printf("segment on replicas: members joined through %s, VLAN %d%n",
                members.stream().map(Joined::replica).toList(), vlan);
        String owner = members.get(0).replica();
        bed.replica(owner).kill();
        List<String> others = ReplicaBed.REPLICAS.stream().filter(r -> !r.equals(owner)).toList();
        Joined late = joinThrough("box-1", others, ReplicaBed.LEASE_TTL.plusSeconds(15));
        members.add(late);

        assertThat(bed.box(0).marked()).as("box-1's segment as it was").isEqualTo(box1);
        assertThat(bed.stored().get(late.id()).vlan()).isEqualTo(vlan);
        assertThat(late.address()).isNotIn(members.subList(0, 4).stream().map(Joined::address).toList());
        assertThat(bed.replica(late.replica()).log()).as("the new holder wrote no second join and left nothing")
                .doesNotContain("event=segment-joined endpoint=box-1").doesNotContain("event=segment-left");

        for (Joined m : members.subList(0, 4)) {
            closeAnywhere(m.id(), others);
        }
        assertThat(bed.box(0).marked()).as("box-1 keeps the segment for its late member").containsOnlyKeys(SEGMENT);
        closeAnywhere(late.id(), others);
        assertThat(bed.box(0).marked()).as("the last leave on box-1").isEmpty();
        assertThat(bed.box(1).marked()).isEmpty();
        assertThat(bed.box(2).marked()).isEmpty();
        assertThat(bed.storedIds()).isEmpty();
        assertThat(bed.keys("claims/")).as("every claim given back, the segment's with its last member").isEmpty();
    }
}
