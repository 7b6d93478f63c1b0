package io.ensm.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsmctlRequestTest {

    private FakeNsm nsm;
    private Cli cli;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        nsm = new FakeNsm();
        cli = new Cli(nsm.address());
    }

    @AfterEach
    void stop() throws Exception {
        nsm.close();
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    @Test
    void requestSendsPathSegmentWithCallerIdAndExpiry() {
        Cli.Result result = cli.run("request", "--service", "blue");

        assertThat(result.exitCode()).as(result.err()).isZero();
        Connection sent = nsm.requests.getFirst().getConnection();
        assertThat(UUID.fromString(sent.getId())).isNotNull();
        assertThat(sent.getNetworkService()).isEqualTo("blue");
        assertThat(sent.getPath().getIndex()).isZero();
        assertThat(sent.getPath().getPathSegmentsList()).containsExactly(PathSegment.newBuilder()
                .setName(Cli.SEGMENT)
                .setId(sent.getId())
                .setExpires(ts(Cli.NOW.plusSeconds(600)))
                .build());
    }

    @Test
    void requestSendsGivenIdEndpointLabelsPayloadExpiryAndExcludedPrefixes() {
        Cli.Result result = cli.run("request", "--service", "blue", "--id", "conn-7", "--endpoint", "nse-a",
                "--label", "app=web", "--label", "zone=a", "--payload", "ip", "--expires", "90s",
                "--exclude", "10.0.0.0/8", "--exclude", "fd00::/64");

        assertThat(result.exitCode()).as(result.err()).isZero();
        Connection sent = nsm.requests.getFirst().getConnection();
        assertThat(sent.getId()).isEqualTo("conn-7");
        assertThat(sent.getNetworkServiceEndpointName()).isEqualTo("nse-a");
        assertThat(sent.getLabelsMap()).isEqualTo(Map.of("app", "web", "zone", "a"));
        assertThat(sent.getPayload()).isEqualTo("IP");
        assertThat(sent.getPath().getPathSegments(0).getId()).isEqualTo("conn-7");
        assertThat(sent.getPath().getPathSegments(0).getExpires()).isEqualTo(ts(Cli.NOW.plusSeconds(90)));
        assertThat(sent.getContext().getIpContext().getExcludedPrefixesList()).containsExactly("10.0.0.0/8", "fd00::/64");
    }

    @Test
    void requestSendsMechanismPreferencesInOrderWithClassByType() {
        Cli.Result result = cli.run("request", "--service", "blue",
                "--mechanism", "VXLAN:src_ip=192.0.2.1,src_port=4789", "--mechanism", "VLAN", "--mechanism", "KERNEL");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(nsm.requests.getFirst().getMechanismPreferencesList()).containsExactly(
                Mechanism.newBuilder().setCls("REMOTE").setType("VXLAN")
                        .putParameters("src_ip", "192.0.2.1").putParameters("src_port", "4789").build(),
                Mechanism.newBuilder().setCls("REMOTE").setType("VLAN").build(),
                Mechanism.newBuilder().setCls("LOCAL").setType("KERNEL").build());
    }

    @Test
    void requestWithoutMechanismPrefersVxlanFromLoopback() {
        cli.run("request", "--service", "blue");

        assertThat(nsm.requests.getFirst().getMechanismPreferencesList()).containsExactly(
                Mechanism.newBuilder().setCls("REMOTE").setType("VXLAN")
                        .putParameters("src_ip", "127.0.0.1").putParameters("src_port", "4789").build());
    }

    @Test
    void requestPrintsGrantedConnectionAsText() {
        Cli.Result result = cli.run("request", "--service", "blue", "--id", "conn-1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("id:            conn-1")
                .contains("endpoint:      " + FakeNsm.NSE_NAME)
                .contains("mechanism:     VXLAN (REMOTE)")
                .contains("dst_ip=192.0.2.9")
                .contains("vni=4242")
                .contains("src addresses: 172.16.0.2/32")
                .contains("dst addresses: 172.16.0.1/32")
                .contains("src routes:    172.16.0.1/32")
                .contains("MTU:           1450")
                .contains("*[0] " + Cli.SEGMENT + "  id=conn-1  expires=2026-03-01T12:10:00Z")
                .contains(" [1] " + FakeNsm.NSE_NAME + "  id=" + FakeNsm.NSE_SEGMENT_ID);
    }

    @Test
    void requestPrintsGrantedConnectionAsJsonWithProtoFieldNames() throws Exception {
        Cli.Result result = cli.run("-o", "json", "request", "--service", "blue", "--id", "conn-1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).hasSize(1);
        assertThat(result.out()).contains("\"network_service_endpoint_name\":\"" + FakeNsm.NSE_NAME + "\"");
        Connection printed = Json.merge(result.out(), Connection.newBuilder()).build();
        assertThat(printed).isEqualTo(FakeNsm.grant(nsm.requests.getFirst()));
    }

    @Test
    void saveThenRefreshKeepsIdAndPathAndRenewsExpiry() throws Exception {
        Path saved = dir.resolve("conn.json");
        Cli.Result requested = cli.run("request", "--service", "blue", "--mechanism", "VXLAN:src_ip=192.0.2.1",
                "--save", saved.toString());
        assertThat(requested.exitCode()).as(requested.err()).isZero();
        Connection granted = ConnectionFile.load(saved);
        assertThat(granted).isEqualTo(FakeNsm.grant(nsm.requests.getFirst()));

        Instant later = Cli.NOW.plusSeconds(200);
        Path again = dir.resolve("again.json");
        Cli.Result refreshed = cli.at(later).run("refresh", "--from", saved.toString(), "--expires", "5m",
                "--save", again.toString());

        assertThat(refreshed.exitCode()).as(refreshed.err()).isZero();
        NetworkServiceRequest refresh = nsm.requests.get(1);
        Connection sent = refresh.getConnection();
        assertThat(sent.getId()).isEqualTo(granted.getId());
        assertThat(sent.getPath().getIndex()).isZero();
        assertThat(sent.getPath().getPathSegmentsList()).extracting(PathSegment::getName, PathSegment::getId)
                .containsExactly(
                        tuple(Cli.SEGMENT, granted.getId()),
                        tuple(FakeNsm.NSE_NAME, FakeNsm.NSE_SEGMENT_ID));
        assertThat(sent.getPath().getPathSegments(0).getExpires()).isEqualTo(ts(later.plusSeconds(300)));
        assertThat(sent.getPath().getPathSegments(1)).isEqualTo(granted.getPath().getPathSegments(1));
        assertThat(sent.getNetworkServiceEndpointName()).isEqualTo(FakeNsm.NSE_NAME);
        assertThat(refresh.getMechanismPreferencesList()).containsExactly(granted.getMechanism());
        assertThat(ConnectionFile.load(again).getId()).isEqualTo(granted.getId());
        assertThat(refreshed.out()).contains("expires=2026-03-01T12:08:20Z");
    }

    @Test
    void closeFromFileSendsTheSavedConnection() {
        Path saved = dir.resolve("conn.json");
        cli.run("request", "--service", "blue", "--save", saved.toString());

        Cli.Result closed = cli.run("close", "--from", saved.toString());

        assertThat(closed.exitCode()).as(closed.err()).isZero();
        assertThat(nsm.closes).containsExactly(ConnectionFile.load(saved));
        assertThat(closed.out()).isEqualTo("closed " + ConnectionFile.load(saved).getId() + System.lineSeparator());
    }

    @Test
    void closeByIdSendsIdServiceEndpointAndCallerSegment() {
        Cli.Result closed = cli.run("-o", "json", "close", "--id", "conn-9", "--service", "blue", "--endpoint", "nse-a");

        assertThat(closed.exitCode()).as(closed.err()).isZero();
        Connection sent = nsm.closes.getFirst();
        assertThat(sent.getId()).isEqualTo("conn-9");
        assertThat(sent.getNetworkService()).isEqualTo("blue");
        assertThat(sent.getNetworkServiceEndpointName()).isEqualTo("nse-a");
        assertThat(sent.getPath().getIndex()).isZero();
        assertThat(sent.getPath().getPathSegmentsList()).containsExactly(
                PathSegment.newBuilder().setName(Cli.SEGMENT).setId("conn-9").build());
        assertThat(closed.out().strip()).isEqualTo("{\"id\":\"conn-9\",\"closed\":true}");
    }

    @Test
    void closeNeedsEitherFileOrIdAndService() {
        Cli.Result neither = cli.run("close");
        Cli.Result idOnly = cli.run("close", "--id", "conn-9");
        Cli.Result both = cli.run("close", "--from", "x.json", "--id", "conn-9", "--service", "blue");

        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("--from").contains("--id");
        assertThat(idOnly.exitCode()).isEqualTo(2);
        assertThat(idOnly.err()).startsWith("error: Missing required argument").contains("--service");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(nsm.closes).isEmpty();
    }

    @Test
    void refreshFromMissingFileExitsFourNamingTheFile() {
        Path missing = dir.resolve("missing.json");

        Cli.Result result = cli.run("refresh", "--from", missing.toString());

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.err()).startsWith("error: cannot read " + missing);
        assertThat(nsm.requests).isEmpty();
    }

    @Test
    void refreshRejectsAFileThatIsNotAConnection() throws Exception {
        Path bogus = dir.resolve("bogus.json");
        Files.writeString(bogus, "{\"nope\": 1}");

        Cli.Result result = cli.run("refresh", "--from", bogus.toString());

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.err()).contains(bogus + " is not a saved connection");
    }
}
