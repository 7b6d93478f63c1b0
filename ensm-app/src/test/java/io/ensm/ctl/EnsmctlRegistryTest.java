package io.ensm.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.ensm.api.registry.Match;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointResponse;
import io.ensm.api.registry.NetworkServiceLabels;
import io.ensm.api.registry.NetworkServiceResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnsmctlRegistryTest {

    private FakeNsm nsm;
    private Cli cli;

    @BeforeEach
    void start() throws Exception {
        nsm = new FakeNsm();
        cli = new Cli(nsm.address());
        nsm.nseResponses.add(NetworkServiceEndpointResponse.newBuilder()
                .setNetworkServiceEndpoint(NetworkServiceEndpoint.newBuilder()
                        .setName("nse-a")
                        .addNetworkServiceNames("blue").addNetworkServiceNames("red")
                        .putNetworkServiceLabels("blue", labels(Map.of("zone", "a", "app", "web")))
                        .setUrl("tcp://192.0.2.10:5003")
                        .setExpirationTime(Timestamp.newBuilder().setSeconds(1_772_366_400L)))
                .build());
        nsm.nseResponses.add(NetworkServiceEndpointResponse.newBuilder()
                .setNetworkServiceEndpoint(NetworkServiceEndpoint.newBuilder()
                        .setName("nse-b")
                        .addNetworkServiceNames("blue")
                        .putNetworkServiceLabels("blue", labels(Map.of("zone", "b")))
                        .setUrl("tcp://192.0.2.11:5003"))
                .setDeleted(true)
                .build());
        nsm.nsResponses.add(NetworkServiceResponse.newBuilder()
                .setNetworkService(NetworkService.newBuilder().setName("blue").setPayload("ETHERNET")
                        .addMatches(Match.getDefaultInstance()).addMatches(Match.getDefaultInstance()))
                .build());
        nsm.nsResponses.add(NetworkServiceResponse.newBuilder()
                .setNetworkService(NetworkService.newBuilder().setName("red").setPayload("IP"))
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        nsm.close();
    }

    private static NetworkServiceLabels labels(Map<String, String> labels) {
        return NetworkServiceLabels.newBuilder().putAllLabels(labels).build();
    }

    @Test
    void nseListPrintsTableWithNameServicesUrlExpiryAndLabels() {
        Cli.Result result = cli.run("nse", "list");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).containsExactly(
                "NAME   SERVICES  URL                    EXPIRES               LABELS",
                "nse-a  blue,red  tcp://192.0.2.10:5003  2026-03-01T12:00:00Z  blue:app=web,zone=a",
                "nse-b  blue      tcp://192.0.2.11:5003  -                     blue:zone=b");
        assertThat(nsm.nseQueries.getFirst().getWatch()).isFalse();
        assertThat(nsm.nseQueries.getFirst().getNetworkServiceEndpoint())
                .isEqualTo(NetworkServiceEndpoint.getDefaultInstance());
    }

    @Test
    void nseListSendsServiceAndItsLabelsInTheQuery() {
        Cli.Result result = cli.run("nse", "list", "--service", "blue", "--label", "zone=a");

        assertThat(result.exitCode()).as(result.err()).isZero();
        NetworkServiceEndpoint template = nsm.nseQueries.getFirst().getNetworkServiceEndpoint();
        assertThat(template.getNetworkServiceNamesList()).containsExactly("blue");
        assertThat(template.getNetworkServiceLabelsMap()).containsExactly(Map.entry("blue", labels(Map.of("zone", "a"))));
        assertThat(result.out()).contains("nse-a").doesNotContain("nse-b");
    }

    @Test
    void nseListWithLabelsButNoServiceMatchesLabelsOfAnyService() {
        Cli.Result result = cli.run("nse", "list", "--label", "zone=b");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("nse-b").doesNotContain("nse-a");
    }

    @Test
    void nseListJsonPrintsOneResponsePerLineWithProtoFieldNames() throws Exception {
        Cli.Result result = cli.run("nse", "list", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).hasSize(2);
        assertThat(result.lines().get(0)).contains("\"network_service_endpoint\":{\"name\":\"nse-a\"")
                .contains("\"network_service_names\":[\"blue\",\"red\"]")
                .contains("\"expiration_time\":\"2026-03-01T12:00:00Z\"");
        NetworkServiceEndpointResponse second = Json.merge(result.lines().get(1),
                NetworkServiceEndpointResponse.newBuilder()).build();
        assertThat(second).isEqualTo(nsm.nseResponses.get(1));
    }

    @Test
    void nseListWatchAsksToWatchAndMarksDeletedEndpoints() {
        Cli.Result result = cli.run("nse", "list", "--watch");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(nsm.nseQueries.getFirst().getWatch()).isTrue();
        assertThat(result.lines()).hasSize(3);
        assertThat(result.lines().get(0)).startsWith("EVENT  NAME");
        assertThat(result.lines().get(1)).startsWith("UPDATED  nse-a  blue,red");
        assertThat(result.lines().get(2)).startsWith("DELETED  nse-b  blue");
    }

    @Test
    void nsListPrintsNamePayloadAndMatchCount() {
        Cli.Result result = cli.run("ns", "list");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).containsExactly(
                "NAME  PAYLOAD   MATCHES",
                "blue  ETHERNET  2",
                "red   IP        0");
        assertThat(nsm.nsQueries.getFirst().getWatch()).isFalse();
    }

    @Test
    void nsListJsonPrintsOneResponsePerLine() {
        Cli.Result result = cli.run("-o", "json", "ns", "list", "--watch");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(nsm.nsQueries.getFirst().getWatch()).isTrue();
        assertThat(result.lines()).containsExactly(
                "{\"network_service\":{\"name\":\"blue\",\"payload\":\"ETHERNET\",\"matches\":[{},{}]}}",
                "{\"network_service\":{\"name\":\"red\",\"payload\":\"IP\"}}");
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand() {
        Cli.Result after = cli.runRaw("ns", "list", "--address", nsm.address(), "--output", "json", "--timeout", "5s");
        Cli.Result before = cli.runRaw("--address", nsm.address(), "-o", "json", "ns", "list");

        assertThat(after.exitCode()).as(after.err()).isZero();
        assertThat(after.out()).startsWith("{\"network_service\"");
        assertThat(before.exitCode()).as(before.err()).isZero();
        assertThat(before.out()).isEqualTo(after.out());
    }
}
