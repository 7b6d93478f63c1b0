package io.ensm.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnsmctlErrorsTest {

    private FakeNsm nsm;
    private Cli cli;

    @BeforeEach
    void start() throws Exception {
        nsm = new FakeNsm();
        cli = new Cli(nsm.address());
    }

    @AfterEach
    void stop() throws Exception {
        nsm.close();
    }

    @Test
    void rpcErrorPrintsCodeAndDescriptionAndExitsOne() {
        nsm.failure = Status.NOT_FOUND.withDescription("no endpoint offers blue");

        Cli.Result result = cli.run("request", "--service", "blue");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: NOT_FOUND: no endpoint offers blue" + System.lineSeparator());
        assertThat(result.out()).isEmpty();
    }

    @Test
    void streamErrorPrintsCodeAndDescriptionAndExitsOne() {
        nsm.failure = Status.PERMISSION_DENIED.withDescription("token expired");

        Cli.Result list = cli.run("nse", "list");
        Cli.Result watch = cli.run("watch");

        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).startsWith("error: PERMISSION_DENIED: token expired");
        assertThat(watch.exitCode()).isEqualTo(1);
        assertThat(watch.err()).startsWith("error: PERMISSION_DENIED: token expired");
    }

    @Test
    void unreachableServerExitsThree() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        Cli.Result result = new Cli("127.0.0.1:" + port).run("ns", "list");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).startsWith("error: UNAVAILABLE: ");
    }

    @Test
    void requestTimeoutExitsThreeWithDeadlineExceeded() {
        nsm.requestDelay = Duration.ofSeconds(2);

        Cli.Result result = cli.run("--timeout", "200ms", "request", "--service", "blue");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).startsWith("error: DEADLINE_EXCEEDED: ");
    }

    @Test
    void malformedMechanismExitsTwoNamingTheValue() {
        Cli.Result result = cli.run("request", "--service", "blue", "--mechanism", "VXLAN:src_ip");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: ").contains("--mechanism").contains("'src_ip'");
        assertThat(nsm.requests).isEmpty();
    }

    @Test
    void malformedLabelExitsTwoNamingTheValue() {
        Cli.Result result = cli.run("request", "--service", "blue", "--label", "zone");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--label").contains("zone");
        assertThat(nsm.requests).isEmpty();
    }

    @Test
    void malformedDurationExitsTwoNamingTheValue() {
        Cli.Result expires = cli.run("request", "--service", "blue", "--expires", "soon");
        Cli.Result timeout = cli.run("--timeout", "15x", "ns", "list");

        assertThat(expires.exitCode()).isEqualTo(2);
        assertThat(expires.err()).contains("--expires").contains("'soon'");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("--timeout").contains("'15x'");
        assertThat(nsm.requests).isEmpty();
        assertThat(nsm.nsQueries).isEmpty();
    }

    @Test
    void malformedPrefixOrPayloadExitsTwoNamingTheValue() {
        Cli.Result prefix = cli.run("request", "--service", "blue", "--exclude", "10.0.0.0");
        Cli.Result payload = cli.run("request", "--service", "blue", "--payload", "MPLS");

        assertThat(prefix.exitCode()).isEqualTo(2);
        assertThat(prefix.err()).contains("'10.0.0.0'");
        assertThat(payload.exitCode()).isEqualTo(2);
        assertThat(payload.err()).contains("MPLS");
    }

    @Test
    void missingServiceOrUnknownCommandExitsTwo() {
        Cli.Result missing = cli.run("request");
        Cli.Result unknown = cli.run("requets");
        Cli.Result none = cli.run();

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--service");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("requets");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("missing command");
    }

    @Test
    void helpDocumentsExitCodes() {
        Cli.Result result = cli.runRaw("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Exit codes:").contains("NOT_FOUND").doesNotContain("${");
    }
}
