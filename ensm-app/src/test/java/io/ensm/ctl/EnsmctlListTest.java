package io.ensm.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connection.State;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.IPContext;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnsmctlListTest {

    private FakeNsm nsm;
    private Cli cli;

    @BeforeEach
    void start() throws Exception {
        nsm = new FakeNsm();
        nsm.monitorStaysOpen = true;
        cli = new Cli(nsm.address());
    }

    @AfterEach
    void stop() throws Exception {
        nsm.close();
    }

    private static Connection vlanConnection() {
        return Connection.newBuilder().setId("ensm-a").setNetworkService("breakout").setNetworkServiceEndpointName("edge-1")
                .setState(State.UP)
                .setMechanism(Mechanism.newBuilder().setType("VLAN").setCls("REMOTE").putParameters("vlan-id", "101"))
                .setContext(ConnectionContext.newBuilder().setIpContext(IPContext.newBuilder()
                        .addSrcIpAddrs("10.60.0.2/32").addDstIpAddrs("10.60.0.1/32")))
                .setPath(Path.newBuilder().setIndex(1)
                        .addPathSegments(PathSegment.newBuilder().setName("nsc").setId("caller-a").setExpires(at(1_800_000_600)))
                        .addPathSegments(PathSegment.newBuilder().setName("ensm").setId("ensm-a").setExpires(at(1_800_000_900))))
                .build();
    }

    private static Connection vxlanConnection() {
        return Connection.newBuilder().setId("ensm-b").setNetworkService("lan").setNetworkServiceEndpointName("edge-2")
                .setState(State.DOWN)
                .setMechanism(Mechanism.newBuilder().setType("VXLAN").setCls("REMOTE").putParameters("vni", "5001"))
                .setPath(Path.newBuilder().setIndex(1)
                        .addPathSegments(PathSegment.newBuilder().setName("nsc").setId("caller-b"))
                        .addPathSegments(PathSegment.newBuilder().setName("ensm").setId("ensm-b").setExpires(at(1_800_001_000))))
                .build();
    }

    private static Timestamp at(long seconds) {
        return Timestamp.newBuilder().setSeconds(seconds).build();
    }

    private static ConnectionEvent initial(Connection... connections) {
        ConnectionEvent.Builder e = ConnectionEvent.newBuilder().setType(ConnectionEventType.INITIAL_STATE_TRANSFER);
        for (Connection c : connections) {
            e.putConnections(c.getId(), c);
        }
        return e.build();
    }

    @Test
    void listMergesTheInitialStateEventsIntoOneTableAndStopsAtTheFirstLiveEvent() {
        nsm.events.add(initial(vxlanConnection()));
        nsm.events.add(initial(vlanConnection()));
        nsm.events.add(ConnectionEvent.newBuilder().setType(ConnectionEventType.UPDATE)
                .putConnections("ensm-c", vlanConnection().toBuilder().setId("ensm-c").build()).build());

        Cli.Result r = cli.run("list", "--settle", "30s");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly(
                "ID      STATE  SERVICE   ENDPOINT  MECHANISM  VLAN/VNI  SRC           DST           EXPIRES",
                "ensm-a  UP     breakout  edge-1    VLAN       vlan 101  10.60.0.2/32  10.60.0.1/32  2027-01-15T08:10:00Z",
                "ensm-b  DOWN   lan       edge-2    VXLAN      vni 5001  -             -             2027-01-15T08:16:40Z");
        assertThat(nsm.selectors.getFirst().getPathSegmentsList()).isEmpty();
    }

    @Test
    void listEndsAfterTheSettleTimeWhenTheStreamStaysOpenAndPassesTheServices() {
        nsm.events.add(initial(vlanConnection()));

        Cli.Result r = cli.run("list", "--service", "breakout", "--settle", "200ms");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(1)).startsWith("ensm-a  UP");
        assertThat(nsm.selectors.getFirst().getNetworkServicesList()).containsExactly("breakout");
    }

    @Test
    void anEmptyStateIsAHeaderAlone() {
        nsm.events.add(ConnectionEvent.getDefaultInstance());

        Cli.Result r = cli.run("list", "--settle", "100ms");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.lines()).containsExactly("ID  STATE  SERVICE  ENDPOINT  MECHANISM  VLAN/VNI  SRC  DST  EXPIRES");
    }

    @Test
    void listAsJsonIsOneConnectionPerLine() throws Exception {
        nsm.events.add(initial(vlanConnection(), vxlanConnection()));

        Cli.Result r = cli.run("list", "-o", "json", "--settle", "100ms");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(Json.merge(r.lines().get(0), Connection.newBuilder()).build()).isEqualTo(vlanConnection());
    }

    @Test
    void noInitialStateWithinTheTimeoutIsDeadlineExceeded() {
        Cli.Result r = cli.run("--timeout", "300ms", "list");

        assertThat(r.exitCode()).isEqualTo(Ensmctl.EXIT_UNREACHABLE);
        assertThat(r.err()).startsWith("error: DEADLINE_EXCEEDED: no initial state from the monitor within");
    }

    @Test
    void aRefusedMonitorIsPrintedWithItsStatus() {
        nsm.failure = Status.PERMISSION_DENIED.withDescription("only callers configured as monitor-all-callers may watch every connection");

        Cli.Result r = cli.run("list");

        assertThat(r.exitCode()).isEqualTo(Ensmctl.EXIT_RPC);
        assertThat(r.err()).contains("error: PERMISSION_DENIED: only callers configured as monitor-all-callers");
    }

    @Test
    void showAsksForThePathSegmentIdAndPrintsTheConnection() {
        nsm.events.add(initial(vlanConnection()));

        Cli.Result r = cli.run("show", "caller-a", "--settle", "100ms");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(nsm.selectors.getFirst().getPathSegmentsList()).singleElement()
                .satisfies(s -> assertThat(s.getId()).isEqualTo("caller-a"));
        assertThat(r.out()).contains("id:            ensm-a", "mechanism:     VLAN (REMOTE)", "src addresses: 10.60.0.2/32",
                "   [0] nsc  id=caller-a  expires=2027-01-15T08:10:00Z", "  *[1] ensm  id=ensm-a");
    }

    @Test
    void showFromASavedConnectionAsksWithItsWholePath(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        nsm.events.add(initial(vlanConnection()));
        java.nio.file.Path saved = dir.resolve("c.json");
        ConnectionFile.save(saved, vlanConnection().toBuilder().setId("caller-a").setPath(vlanConnection().getPath().toBuilder().setIndex(0)).build());

        Cli.Result r = cli.run("show", "--from", saved.toString(), "--settle", "100ms");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(nsm.selectors.getFirst().getPathSegmentsList()).extracting(PathSegment::getId).containsExactly("caller-a", "ensm-a");
        assertThat(nsm.selectors.getFirst().getPathSegmentsList()).extracting(PathSegment::getName).containsExactly("nsc", "ensm");
        assertThat(r.out()).contains("id:            ensm-a");
    }

    @Test
    void showNeedsAnIdOrAFileButNotBoth() {
        assertThat(cli.run("show").exitCode()).isEqualTo(Ensmctl.EXIT_USAGE);
        assertThat(cli.run("show", "x", "--from", "f.json").exitCode()).isEqualTo(Ensmctl.EXIT_USAGE);
    }

    @Test
    void showOfAnUnknownIdIsNotFound() {
        nsm.events.add(ConnectionEvent.getDefaultInstance());

        Cli.Result r = cli.run("show", "nope", "--settle", "100ms");

        assertThat(r.exitCode()).isEqualTo(Ensmctl.EXIT_RPC);
        assertThat(r.err()).isEqualTo("error: NOT_FOUND: no connection in scope has a path segment with id 'nope'\n");
    }
}
