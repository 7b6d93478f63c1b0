package io.ensm.netconf.recovery;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.observe.EnsmMeters;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.spi.Attachment;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.Requests;
import io.ensm.netconf.backend.NetconfBackend;
import io.ensm.netconf.testbed.BoxVxlanView;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.NetconfTestbedExtension;
import io.ensm.netconf.testbed.RecordingForwarderProvider;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DEVICE_VXLAN plan through the whole runtime (gRPC server, store, provisioner) on netconfd
 * loaded with the Junos VXLAN module: the caller offering VXLAN gets the box's VTEP in its reply,
 * the box gets the caller's node as remote VTEP, a refresh does no device I/O, and ensm's forwarder
 * is never asked for a link. The box is read with OpenSSH, not with ensm's code.
 */
@Tag("netconf-testbed")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceVxlanRuntimeTest {
    static final String NAME = "ensm-dvx";
    static final String SERVICE = "l2";
    static final String VTEP = "192.0.2.253";
    static final String NODE = "198.51.100.21";

    @TempDir
    Path dir;
    private NetconfTestbed bed;
    private EnsmRuntime runtime;
    private ManagedChannel channel;

    @BeforeAll
    void useBox() {
        bed = NetconfTestbedExtension.startOrSkip(() -> NetconfTestbed.shared(2, "candidate"));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private Map<String, String> settings() {
        NetconfTestbed.Device d = bed.device(2);
        Map<String, String> s = new HashMap<>();
        s.put("host", d.host());
        s.put("port", Integer.toString(d.port()));
        s.put("username", d.username());
        s.put("password-file", d.passwordFile().toString());
        s.put("known-hosts", d.knownHosts().toString());
        s.put("driver", "junos");
        s.put("port-name", "ge-0/0/2");
        s.put("uplink", "ens-up");
        s.put("vlans", "3300-3309");
        s.put("plans", "device-vxlan,forwarder-vxlan");
        s.put("vtep-address", VTEP);
        // netconfd validates the Junos statements only in the namespace of the test bed's module.
        s.put("configuration-namespace", BoxVxlanView.NS);
        return s;
    }

    private void start() {
        start(7999);
    }

    private void start(int vniLast) {
        List<ServiceSpec> services = List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.72.0.0/24"), List.of(), null));
        List<EndpointDefinition> endpoints = List.of(new EndpointDefinition(new EndpointSpec("qfx-1", SERVICE, Map.of()),
                NetconfBackend.TYPE, settings()));
        EnsmSettings settings = new EnsmSettings(NAME, new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:1", null,
                dir.resolve("data"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(2), Duration.ofHours(1), 1500,
                7000, vniLast, services, endpoints, RecordingForwarderProvider.TYPE, Map.of(), List.of(), null, OrphanPolicy.SWEEP, null);
        runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
    }

    private NetworkServiceRequest requestFrom(String nsc, String node) {
        return Requests.request().id(nsc).service(SERVICE).expires(Instant.now().plus(Duration.ofHours(1)))
                .mechanisms(Requests.vxlan(node, 4789)).build();
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub stub() {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static String idOf(Connection reply) {
        return reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
    }

    private BoxVxlanView box() {
        return BoxVxlanView.parse(bed.independentGetConfig(2, BoxVxlanView.FILTER));
    }

    private NetconfBackend backend() {
        return (NetconfBackend) EnsmMeters.unwrap(runtime.catalog().endpoints().iterator().next().backend());
    }

    @Test
    void aCallerOfferingVxlanTunnelsToTheBoxItselfAndEnsmsForwarderMakesNoLink() {
        start();
        RecordingForwarder forwarder = RecordingForwarderProvider.last();
        NetworkServiceRequest first = requestFrom("nsc-1", NODE);

        Connection reply = stub().request(first);

        var m = reply.getMechanism();
        assertThat(m.getType()).isEqualTo("VXLAN");
        assertThat(m.getParametersMap()).containsEntry("dst_ip", VTEP).containsEntry("dst_port", "4789")
                .containsEntry("src_ip", NODE).containsEntry("MTU", "1450");
        int vni = Integer.parseInt(m.getParametersOrThrow("vni"));
        assertThat(vni).isBetween(7000, 7999);
        assertThat(reply.getContext().getMTU()).isEqualTo(1450);
        var stored = runtime.connections().get(idOf(reply)).orElseThrow();
        assertThat(stored.plan()).isEqualTo(PlanKind.DEVICE_VXLAN);
        assertThat(stored.attachment()).isEqualTo(new Attachment.DeviceVxlan(VTEP, vni));
        int vlan = stored.allocation().vlanId();
        BoxVxlanView v = box();
        assertThat(v.vlans().get("ensm-vni-" + vni)).isEqualTo(new BoxVxlanView.Vlan("ensm@" + NAME + ":" + idOf(reply),
                Integer.toString(vlan), "irb." + vlan, Integer.toString(vni), true, List.of(NODE)));
        String boxEnd = reply.getContext().getIpContext().getDstIpAddrs(0).replace("/32", "");
        assertThat(v.irbUnits().get(Integer.toString(vlan)).addresses()).as("the box's end, with the pair's subnet")
                .singleElement().asString().startsWith(boxEnd + "/");
        assertThat(v.remoteVteps()).containsExactly(NODE);

        long edits = backend().edits();
        long reads = backend().reads();
        Connection refreshed = stub().request(Requests.refreshOf(first, reply, Instant.now().plus(Duration.ofHours(2))));
        assertThat(refreshed.getMechanism().getParametersMap()).containsEntry("vni", Integer.toString(vni)).containsEntry("dst_ip", VTEP);
        assertThat(new long[] {backend().edits(), backend().reads()}).as("device I/O of the refresh").containsExactly(edits, reads);

        Connection second = stub().request(requestFrom("nsc-2", NODE));
        assertThat(box().vlans()).hasSize(2);
        assertThat(box().remoteVteps()).as("one entry for the node's two connections").containsExactly(NODE);

        stub().close(refreshed);
        assertThat(box().vlans()).containsOnlyKeys("ensm-vni-" + second.getMechanism().getParametersOrThrow("vni"));
        assertThat(box().remoteVteps()).containsExactly(NODE);
        stub().close(second);
        assertThat(box()).isEqualTo(new BoxVxlanView(Map.of(), Map.of(), List.of()));
        assertThat(forwarder.connectCalls()).as("links ensm's forwarder was asked for").isZero();
        assertThat(runtime.connections().all()).isEmpty();
    }

    private NetworkServiceRequest requestWithVni(String nsc, String node, String vni) {
        return Requests.request().id(nsc).service(SERVICE).expires(Instant.now().plus(Duration.ofHours(1)))
                .mechanisms(Requests.vxlan(node, 4789).toBuilder().putParameters("vni", vni).build()).build();
    }

    @Test
    void aCallerWhoseMechanismCarriesAVniKeepsItAndAnotherCallerAskingForItIsRefusedNamingIt() {
        start();
        Connection kept = stub().request(requestWithVni("nsc-k", NODE, "7123"));
        assertThat(kept.getMechanism().getParametersMap()).containsEntry("vni", "7123").containsEntry("dst_ip", VTEP);
        assertThat(box().vlans()).containsOnlyKeys("ensm-vni-7123");

        assertThatThrownBy(() -> stub().request(requestWithVni("nsc-o", "198.51.100.22", "7123")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(e.getStatus().getDescription()).contains("VNI 7123");
                });
        for (String bad : List.of("16777215", "6999", "0x10", "-5")) {
            assertThatThrownBy(() -> stub().request(requestWithVni("nsc-b", NODE, bad))).as("vni %s", bad)
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).contains("vni").contains(bad);
                    });
        }
        assertThat(runtime.connections().all()).as("only the first caller's connection").hasSize(1);
        assertThat(box().vlans()).containsOnlyKeys("ensm-vni-7123");
        assertThat(box().remoteVteps()).containsExactly(NODE);

        // The caller heals after ensm let the connection go: it offers the VNI it has and gets it back.
        stub().close(kept);
        Connection healed = stub().request(requestWithVni("nsc-k", NODE, "7123"));
        assertThat(healed.getMechanism().getParametersMap()).containsEntry("vni", "7123");
        stub().close(healed);
        assertThat(box()).isEqualTo(new BoxVxlanView(Map.of(), Map.of(), List.of()));
    }

    @Test
    void aVniPoolReachingPastTheHighestVniABoxTakesIsRefusedAtStartNamingTheKey() {
        assertThatThrownBy(() -> start(16777215)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ensm.vni.last").hasMessageContaining("16777214").hasMessageContaining("qfx-1");
    }

    /** scripts/device-vxlan-path with these arguments; its output, or an AssertionError with it when it fails. */
    private static String path(String... args) throws Exception {
        Path script = Path.of("").toAbsolutePath();
        while (!java.nio.file.Files.isExecutable(script.resolve("scripts/device-vxlan-path"))) {
            script = script.getParent();
        }
        List<String> command = new java.util.ArrayList<>(List.of(script.resolve("scripts/device-vxlan-path").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("device-vxlan-path " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** Links of the host (where ensm runs) whose alias carries this ensm's mark. */
    private static List<String> ensmMarkedLinks() throws Exception {
        Process p = new ProcessBuilder("ip", "-o", "link", "show").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.lines().filter(l -> l.contains("alias ensm@" + NAME)).toList();
    }

    @Test
    void aPodBehindItsNodeReachesTheBoxAddressThroughTheTunnelAsTheReplyAndTheBoxConfigurationDescribeIt() throws Exception {
        io.ensm.core.testing.Prerequisites.here().requireRoot("network namespaces standing for the box, the node and the pod");
        io.ensm.core.testing.Prerequisites.here().requireCommand("ip", "iproute2");
        start();
        Connection reply = stub().request(requestFrom("nsc-p", NODE));
        var m = reply.getMechanism().getParametersMap();
        int vlan = runtime.connections().get(idOf(reply)).orElseThrow().allocation().vlanId();
        // The box's side from what the box holds (read with OpenSSH), the node's from the reply alone.
        BoxVxlanView v = box();
        BoxVxlanView.Vlan onBox = v.vlans().get("ensm-vni-" + m.get("vni"));
        BoxVxlanView.Unit irb = v.irbUnits().get(Integer.toString(vlan));
        String boxAddr = irb.addresses().getFirst();
        String length = boxAddr.substring(boxAddr.indexOf('/') + 1);
        String podAddr = reply.getContext().getIpContext().getSrcIpAddrs(0).replaceAll("/.*", "/" + length);
        String prefix = "dvx" + ProcessHandle.current().pid() % 100000;
        try {
            path("up", "--prefix", prefix, "--vni", onBox.vni(), "--vtep", VTEP, "--node", onBox.staticRemoteVteps().getFirst(),
                    "--port", m.get("dst_port"), "--box-addr", boxAddr, "--mtu", irb.mtu(), "--pod-addr", podAddr,
                    "--node-vni", m.get("vni"), "--node-remote", m.get("dst_ip"));
            assertThat(m.get("src_ip")).isEqualTo(NODE);

            path("ping", "--prefix", prefix, "--to", boxAddr.replaceAll("/.*", ""));

            assertThat(Long.parseLong(path("rx", "--prefix", prefix).strip())).as("packets the box's VXLAN device took in")
                    .isGreaterThanOrEqualTo(3);
            assertThat(ensmMarkedLinks()).as("links ensm made on its host").isEmpty();
            assertThat(RecordingForwarderProvider.last().connectCalls()).isZero();
        } finally {
            path("down", "--prefix", prefix);
            stub().close(reply);
        }
        assertThat(box()).isEqualTo(new BoxVxlanView(Map.of(), Map.of(), List.of()));
    }
}
