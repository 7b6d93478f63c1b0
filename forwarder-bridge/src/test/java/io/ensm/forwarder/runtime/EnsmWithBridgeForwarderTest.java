package io.ensm.forwarder.runtime;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.Reconciler;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.spi.Owner;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.forwarder.bridge.LinkNames;
import io.ensm.forwarder.netlink.Link;
import io.ensm.core.testing.Cmd;
import io.ensm.forwarder.testbed.CrossConnectBed;
import io.ensm.forwarder.testbed.KernelTestBed;
import io.ensm.forwarder.testbed.NamespacedTcp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ensm.forwarder.testbed.CrossConnectBed.ATTACH_INNER;
import static io.ensm.forwarder.testbed.CrossConnectBed.ENSM_UNDERLAY;
import static io.ensm.forwarder.testbed.CrossConnectBed.NODE_UNDERLAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole service with {@code forwarder.type: bridge}: an NSC's Request over gRPC gets a VXLAN
 * mechanism, the node builds its end from the reply, and packets cross. ensm then stops and
 * starts again on the same store while a link was deleted behind its back and an orphan was
 * left: traffic keeps flowing while it is down, recovery repairs the connection's links, removes
 * the orphan and leaves foreign links alone; Close removes everything.
 */
@Tag("kernel")
class EnsmWithBridgeForwarderTest {
    @RegisterExtension
    final KernelTestBed bed = new KernelTestBed();

    @TempDir
    Path data;

    private CrossConnectBed net;
    private EnsmRuntime runtime;

    @BeforeEach
    void network() {
        net = new CrossConnectBed(bed);
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private EnsmSettings settings() {
        return new EnsmSettings("ensm-kernel", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null, data,
                Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(10), 1500, 5000, 5999,
                List.of(new ServiceSpec("local-l2", Payload.ETHERNET, List.of("172.30.0.0/24"), List.of())),
                List.of(new EndpointDefinition(new EndpointSpec("on-host", "local-l2", Map.of()), LocalNamespaceBackend.TYPE,
                        Map.of("netns", net.attach))),
                "bridge", Map.of("local-ip", ENSM_UNDERLAY, "netns", net.ensm));
    }

    private EnsmRuntime start() {
        runtime = EnsmRuntime.start(settings(), SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        return runtime;
    }

    private static <T> T withChannel(int port, java.util.function.Function<NetworkServiceGrpc.NetworkServiceBlockingStub, T> call)
            throws InterruptedException {
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return call.apply(NetworkServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS));
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void requestCrossConnectsThroughTheKernelAndSurvivesARestart() throws Exception {
        start();
        NetworkServiceRequest request = Requests.request().service("local-l2").expires(Instant.now().plus(Duration.ofMinutes(10)))
                .mechanisms(Requests.vxlan(NODE_UNDERLAY, 4789)).build();
        Connection reply = withChannel(runtime.port(), ns -> ns.request(request));

        Mechanism m = reply.getMechanism();
        assertThat(m.getType()).isEqualTo("VXLAN");
        assertThat(m.getParametersMap()).containsEntry("dst_ip", ENSM_UNDERLAY).containsEntry("dst_port", "4789");
        assertThat(reply.getContext().getMTU()).as("1500 underlay - 50").isEqualTo(1450);
        int vni = Integer.parseInt(m.getParametersOrThrow("vni"));
        String id = reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
        String inside = LocalNamespaceBackend.interfaceOf(id);
        LinkNames names = LinkNames.of(new Owner("ensm-kernel"), id);

        // The node's forwarder builds its end from the reply.
        net.nodeVxlan(vni, 4789, Integer.parseInt(m.getParametersOrThrow("dst_port")));
        net.attachAddress(inside);
        assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
        NamespacedTcp.roundTrip(net.attach, ATTACH_INNER, net.node, 1 << 20);

        runtime.close();
        runtime = null;
        assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).as("traffic flows while ensm is down").isTrue();

        Cmd.run("ip", "-n", net.ensm, "link", "del", names.vxlan());
        Cmd.run("ip", "-n", net.ensm, "link", "add", "ensb0rphan00000", "type", "bridge");
        Cmd.run("ip", "-n", net.ensm, "link", "set", "ensb0rphan00000", "alias", "ensm@ensm-kernel:connection-forgotten-by-a-restore");
        // another ensm's on the same host, and one an earlier ensm marked without owner: neither is swept
        Cmd.run("ip", "-n", net.ensm, "link", "add", "ensbother000000", "type", "bridge");
        Cmd.run("ip", "-n", net.ensm, "link", "set", "ensbother000000", "alias", "ensm@ensm-other:connection-of-another-ensm");
        Cmd.run("ip", "-n", net.ensm, "link", "add", "ensbunowned0000", "type", "bridge");
        Cmd.run("ip", "-n", net.ensm, "link", "set", "ensbunowned0000", "alias", "ensm:connection-of-an-earlier-ensm");
        Cmd.run("ip", "-n", net.ensm, "link", "add", "opsbr", "type", "bridge");

        start();
        Reconciler.Report r = runtime.recovery();
        assertThat(r.loaded()).isEqualTo(1);
        assertThat(r.repaired()).isEqualTo(1);
        assertThat(r.orphansRemoved()).isEqualTo(1);
        assertThat(CrossConnectBed.links(net.ensm)).extracting(Link::name)
                .contains(names.bridge(), names.vxlan(), names.veth(), "opsbr", "ul0", "ensbother000000", "ensbunowned0000")
                .doesNotContain("ensb0rphan00000");
        net.forgetNeighbours(net.node);
        assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).as("repaired at start").isTrue();

        Connection refreshed = withChannel(runtime.port(), ns -> ns.request(Requests.refreshOf(request, reply,
                Instant.now().plus(Duration.ofMinutes(10)))));
        assertThat(refreshed.getMechanism().getParametersOrThrow("vni")).isEqualTo(Integer.toString(vni));

        withChannel(runtime.port(), ns -> ns.close(refreshed));
        net.forgetNeighbours(net.node);
        assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).as("no path once Close answered").isFalse();
        assertThat(CrossConnectBed.markedLinksAfterDeletions(net.ensm, Duration.ofSeconds(10))).as("only the other ensm's links are left")
                .extracting(Link::name).containsExactlyInAnyOrder("ensbother000000", "ensbunowned0000");
        assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).doesNotContain(inside);
        assertThat(CrossConnectBed.links(net.ensm)).extracting(Link::name).contains("opsbr");
    }
}
