package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import org.junit.jupiter.api.AutoClose;
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
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 with live connections, restart on the same data directory and port: nothing is lost, nothing re-provisioned. */
class CrashRestartTest {
    /** Long enough to survive a slow restart on a loaded machine, short enough to watch it expire. */
    static final Duration SHORT = Duration.ofSeconds(25);
    static final Duration MARGIN = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    @AutoClose
    EnsmProcess ensm;
    @AutoClose
    Nsc nsc;

    @Test
    void connectionsSurviveKillNineWithoutDeviceIoAndShortOnesExpireAtTheirOriginalTime() throws Exception {
        Journal journal = Journal.in(dir);
        ensm = new EnsmProcess(dir, EndToEndTest.config(dir)).start();
        nsc = new Nsc(ensm.target());

        List<Connection> longLived = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            longLived.add(nsc.ns().request(Nsc.request(EndToEndTest.SERVICE, Instant.now().plus(Duration.ofMinutes(10)))));
        }
        Instant shortExpiry = Instant.now().plus(SHORT);
        List<Connection> shortLived = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            shortLived.add(nsc.ns().request(Nsc.request(EndToEndTest.SERVICE, shortExpiry)));
        }
        Set<String> allIds = ids(longLived);
        allIds.addAll(ids(shortLived));
        assertThat(journal.entries().keySet()).containsExactlyInAnyOrderElementsOf(allIds);
        String journalBefore = journal.content();
        List<String> callsBefore = journal.callLog();

        ensm.kill();
        assertThat(ensm.isAlive()).isFalse();
        nsc.close();
        ensm.start();
        nsc = new Nsc(ensm.target());
        assertThat(Instant.now()).as("restart finished before the short connections expire").isBefore(shortExpiry.minus(MARGIN));

        assertThat(ensm.log()).contains("event=recovery-done loaded=20 verified=20 repaired=0");
        assertThat(journal.content()).as("device state after restart").isEqualTo(journalBefore);
        assertThat(journal.callLog()).as("device calls at restart").isEqualTo(callsBefore);
        try (Nsc.Monitor monitor = nsc.monitor()) {
            ConnectionEvent initial = monitor.next(Duration.ofSeconds(10));
            assertThat(initial.getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
            Set<String> listed = initial.getConnectionsMap().values().stream()
                    .flatMap(c -> c.getPath().getPathSegmentsList().stream().map(s -> s.getId()))
                    .collect(Collectors.toSet());
            assertThat(listed).containsAll(allIds);
            assertThat(initial.getConnectionsCount()).isEqualTo(20);
        }

        // Refresh after restart keeps addresses and VLAN ids, without touching the device.
        for (Connection c : longLived.subList(0, 5)) {
            Connection refreshed = nsc.ns().request(Nsc.refresh(c, Instant.now().plus(Duration.ofMinutes(10))));
            assertThat(Nsc.ensmId(refreshed)).isEqualTo(Nsc.ensmId(c));
            assertThat(refreshed.getContext().getIpContext().getDstIpAddrsList()).isEqualTo(c.getContext().getIpContext().getDstIpAddrsList());
            assertThat(refreshed.getContext().getIpContext().getSrcIpAddrsList()).isEqualTo(c.getContext().getIpContext().getSrcIpAddrsList());
            assertThat(refreshed.getMechanism().getParametersOrThrow("vlan-id")).isEqualTo(c.getMechanism().getParametersOrThrow("vlan-id"));
        }
        assertThat(journal.callLog()).as("device calls after refreshes").isEqualTo(callsBefore);

        // A new connection does not reuse anything a live one holds.
        Map<String, Journal.Entry> live = journal.entries();
        Connection fresh = nsc.ns().request(Nsc.request(EndToEndTest.SERVICE, Instant.now().plus(Duration.ofMinutes(10))));
        int freshVlan = Integer.parseInt(fresh.getMechanism().getParametersOrThrow("vlan-id"));
        assertThat(live.values().stream().map(Journal.Entry::vlan).toList()).doesNotContain(freshVlan);
        Set<String> liveAddrs = new HashSet<>();
        live.values().forEach(e -> {
            liveAddrs.addAll(e.endpointAddrs());
            liveAddrs.addAll(e.clientAddrs());
        });
        assertThat(liveAddrs).doesNotContainAnyElementsOf(fresh.getContext().getIpContext().getDstIpAddrsList())
                .doesNotContainAnyElementsOf(fresh.getContext().getIpContext().getSrcIpAddrsList());
        nsc.ns().close(fresh);

        // The short ones expire at their original time: the timers resumed, they were not reset.
        Set<String> shortIds = ids(shortLived);
        sleepUntil(shortExpiry.minus(MARGIN));
        assertThat(journal.entries().keySet()).as("short connections just before their expiry").containsAll(shortIds);
        Instant deadline = shortExpiry.plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline) && journal.entries().keySet().stream().anyMatch(shortIds::contains)) {
            Thread.sleep(200);
        }
        assertThat(journal.entries().keySet()).as("after the original expiry").doesNotContainAnyElementsOf(shortIds)
                .containsAll(ids(longLived));
        assertThat(journal.callLog()).contains(shortIds.stream().map(id -> "release " + id).toArray(String[]::new));
    }

    static Set<String> ids(List<Connection> replies) {
        return replies.stream().map(Nsc::ensmId).collect(Collectors.toCollection(HashSet::new));
    }

    static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }
}
