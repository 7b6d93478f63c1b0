package io.ensm.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnsmctlWatchTest {

    private FakeNsm nsm;
    private Cli cli;

    @BeforeEach
    void start() throws Exception {
        nsm = new FakeNsm();
        cli = new Cli(nsm.address());
        nsm.events.add(ConnectionEvent.newBuilder()
                .setType(ConnectionEventType.INITIAL_STATE_TRANSFER)
                .putConnections("c2", connection("c2", State.UP))
                .putConnections("c1", connection("c1", State.UP))
                .build());
        nsm.events.add(ConnectionEvent.newBuilder()
                .setType(ConnectionEventType.UPDATE)
                .putConnections("c1", connection("c1", State.DOWN))
                .build());
        nsm.events.add(ConnectionEvent.newBuilder()
                .setType(ConnectionEventType.DELETE)
                .putConnections("c2", connection("c2", State.DOWN))
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        nsm.close();
    }

    private static Connection connection(String id, State state) {
        return Connection.newBuilder().setId(id).setNetworkService("blue")
                .setNetworkServiceEndpointName("nse-a").setState(state).build();
    }

    @Test
    void watchSendsServicesInScopeSelectorAndPrintsEventsUntilStreamEnds() {
        Cli.Result result = cli.run("watch", "--service", "blue", "--service", "red");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(nsm.selectors.getFirst().getNetworkServicesList()).containsExactly("blue", "red");
        assertThat(nsm.selectors.getFirst().getPathSegmentsList()).isEmpty();
        assertThat(result.lines()).containsExactly(
                "INITIAL_STATE_TRANSFER  c1  UP  blue  nse-a",
                "INITIAL_STATE_TRANSFER  c2  UP  blue  nse-a",
                "UPDATE  c1  DOWN  blue  nse-a",
                "DELETE  c2  DOWN  blue  nse-a");
    }

    @Test
    void watchPrintsEmptyInitialTransfer() {
        nsm.events.clear();
        nsm.events.add(ConnectionEvent.getDefaultInstance());

        Cli.Result result = cli.run("watch");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(nsm.selectors.getFirst().getNetworkServicesList()).isEmpty();
        assertThat(result.lines()).containsExactly("INITIAL_STATE_TRANSFER  -");
    }

    @Test
    void watchJsonPrintsOneEventPerLine() throws Exception {
        Cli.Result result = cli.run("watch", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).hasSize(3);
        assertThat(result.lines().get(1)).isEqualTo(
                "{\"type\":\"UPDATE\",\"connections\":{\"c1\":{\"id\":\"c1\",\"network_service\":\"blue\","
                        + "\"network_service_endpoint_name\":\"nse-a\",\"state\":\"DOWN\"}}}");
        assertThat(Json.merge(result.lines().get(0), ConnectionEvent.newBuilder()).build())
                .isEqualTo(nsm.events.get(0));
    }
}
