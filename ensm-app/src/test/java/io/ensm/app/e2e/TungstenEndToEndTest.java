package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.tf.testbed.CallRecorder;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real service in its own JVM with a {@code tungsten} endpoint pointed at OpenSDN's config API
 * server (through a {@link CallRecorder}, which also stands for TF going down): an NSC's Request
 * creates the interface and instance-ip in TF, Close removes them, reconciliation repairs and
 * sweeps. The endpoint names no fabric: the one holding its port group is used.
 */
@RealOpenSdn
class TungstenEndToEndTest {
    static final String SERVICE = "blue";
    static final String ENDPOINT = "blue-nse";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    @AutoClose
    static CallRecorder tf;
    @AutoClose
    static EnsmProcess ensm;
    @AutoClose
    static Nsc nsc;
    static TfRest rest;
    static TfWorld world;

    @BeforeAll
    static void start(OpenSdn server) {
        rest = new TfRest(server.url());
        world = TfWorld.create(rest);
        tf = new CallRecorder(server.url());
        ensm = new EnsmProcess(dir, config(tf.url(), world.networkName())).start();
        nsc = new Nsc(ensm.target());
    }

    static Map<String, String> config(String apiUrl, String network) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", "ensm-tf-e2e");
        // the orphan test plants a marked interface while the store is still new: remove it anyway
        p.put("ensm.recovery.orphans", "sweep");
        p.put("ensm.services[0].name", SERVICE);
        p.put("ensm.services[0].payload", "ETHERNET");
        p.put("ensm.services[0].cidrs[0]", "10.60.0.0/24");
        p.put("ensm.endpoints[0].name", ENDPOINT);
        p.put("ensm.endpoints[0].service", SERVICE);
        p.put("ensm.endpoints[0].backend.type", "tungsten");
        p.put("ensm.endpoints[0].backend.settings.api-url", apiUrl);
        p.put("ensm.endpoints[0].backend.settings.virtual-network", network);
        p.put("ensm.endpoints[0].backend.settings.port-group", world.portGroup());
        p.put("ensm.endpoints[0].backend.settings.uplink", "eth1");
        p.put("ensm.endpoints[0].backend.settings.vlans", "300-309");
        p.put("ensm.endpoints[0].backend.settings.timeout", "2s");
        p.put("ensm.endpoints[0].backend.settings.retries", "1");
        p.put("ensm.reconcile-interval", "2s");
        return p;
    }

    static Instant inTenMinutes() {
        return Instant.now().plus(Duration.ofMinutes(10));
    }

    static Optional<ObjectNode> tfInterface(String ensmId) {
        return rest.fqNameToId("virtual-machine-interface", List.of(TfWorld.DOMAIN, world.project(), "ensm-" + ensmId))
                .flatMap(uuid -> rest.read("virtual-machine-interface", uuid));
    }

    static Optional<ObjectNode> tfInstanceIp(String ensmId) {
        return rest.fqNameToId("instance-ip", List.of("ensm-" + ensmId + "-v4")).flatMap(uuid -> rest.read("instance-ip", uuid));
    }

    @Test
    void requestCreatesTheInterfaceOnTheFabricVlanAndTheInstanceIpAndCloseRemovesThem() {
        Connection reply = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        String ensmId = Nsc.ensmId(reply);
        int vlan = Integer.parseInt(reply.getMechanism().getParametersOrThrow("vlan-id"));
        String nseAddress = reply.getContext().getIpContext().getDstIpAddrs(0);

        JsonNode f = tfInterface(ensmId).orElseThrow(() -> new AssertionError("no TF interface of " + ensmId + " in " + tf.calls()));
        assertThat(vlan).isBetween(300, 309);
        assertThat(f.path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt()).isEqualTo(vlan);
        assertThat(f.path("virtual_port_group_refs").get(0).path("uuid").asString()).isEqualTo(world.portGroupUuid());
        assertThat(f.path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt()).isEqualTo(vlan);
        assertThat(f.path("annotations").toString()).contains(ensmId, ENDPOINT);
        JsonNode iip = tfInstanceIp(ensmId).orElseThrow();
        assertThat(iip.path("instance_ip_address").asString() + "/32").isEqualTo(nseAddress);

        nsc.ns().close(reply);

        assertThat(tfInterface(ensmId)).isEmpty();
        assertThat(tfInstanceIp(ensmId)).isEmpty();
    }

    @Test
    void aRefreshMakesNoCallToTf() {
        Connection first = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        tf.clear();

        Connection refreshed = nsc.ns().request(Nsc.refresh(first, inTenMinutes().plusSeconds(60)));

        assertThat(Nsc.ensmId(refreshed)).isEqualTo(Nsc.ensmId(first));
        // Reconciliation passes (every 2 s here) may read meanwhile; a refresh must change nothing.
        assertThat(tf.calls()).filteredOn(c -> !c.startsWith("GET ") && !c.equals("POST /fqname-to-id")).isEmpty();
        nsc.ns().close(refreshed);
    }

    @Test
    void theRunningServiceRepairsDriftAndRemovesMarkedOrphansButNothingElse() throws Exception {
        Connection reply = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        String ensmId = Nsc.ensmId(reply);
        int vlan = Integer.parseInt(reply.getMechanism().getParametersOrThrow("vlan-id"));
        String vmi = tfInterface(ensmId).orElseThrow().path("uuid").asString();
        rest.update("virtual-machine-interface", vmi, "{\"virtual_machine_interface_properties\": {\"sub_interface_vlan_tag\": 399}}");
        String orphan = operatorInterface("left-behind", "{\"key_value_pair\": [{\"key\": \"ensm-connection\", \"value\": \"gone\"},"
                + " {\"key\": \"ensm-endpoint\", \"value\": \"" + ENDPOINT + "\"},"
                + " {\"key\": \"ensm-owner\", \"value\": \"ensm-tf-e2e\"}]}");
        String foreign = operatorInterface("operator-port", "{\"key_value_pair\": []}");

        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline) && (rest.read("virtual-machine-interface", orphan).isPresent() || vlanOf(ensmId) != vlan)) {
            Thread.sleep(200);
        }

        assertThat(vlanOf(ensmId)).as("VLAN of the interface after a reconciliation pass").isEqualTo(vlan);
        assertThat(rest.read("virtual-machine-interface", orphan)).as("the marked orphan").isEmpty();
        assertThat(rest.read("virtual-machine-interface", foreign)).as("the operator's own interface").isPresent();
        nsc.ns().close(reply);
        assertThat(tfInterface(ensmId)).isEmpty();
    }

    @Test
    void aServiceAddressTfMovesAfterStartIsNotHandedOutOnceAReconciliationPassHasReadIt() throws Exception {
        Connection probe = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        String next = probe.getContext().getIpContext().getDstIpAddrs(0).replace("/32", "");
        nsc.ns().close(probe);
        int logged = ensm.log().length();

        moveServiceAddress(next); // the pair the pool hands out next now holds an address TF refuses
        try {
            Instant deadline = Instant.now().plusSeconds(20);
            while (Instant.now().isBefore(deadline) && !reservedLoggedSince(logged).contains(next)) {
                Thread.sleep(200);
            }
            assertThat(reservedLoggedSince(logged)).as("TF's reserved addresses as a pass read them").contains(next);

            Connection reply = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));

            assertThat(reply.getContext().getIpContext().getDstIpAddrs(0)).isNotEqualTo(next + "/32");
            assertThat(reply.getContext().getIpContext().getSrcIpAddrs(0)).isNotEqualTo(next + "/32");
            nsc.ns().close(reply);
        } finally {
            moveServiceAddress("10.60.0.253");
        }
    }

    /** An operator's change of the network's 10.60.0.0/24 subnet: TF's service address (its DNS) moves. */
    static void moveServiceAddress(String address) {
        ObjectNode vn = rest.fields("virtual-network", world.networkUuid());
        ArrayNode refs = (ArrayNode) vn.path("network_ipam_refs");
        for (JsonNode ref : refs) {
            ((ObjectNode) ref).remove("href");
            for (JsonNode subnet : ref.path("attr").path("ipam_subnets")) {
                if (subnet.path("subnet").path("ip_prefix").asString().equals("10.60.0.0")) {
                    ((ObjectNode) subnet).put("dns_server_address", address);
                }
            }
        }
        ObjectNode change = JSON.createObjectNode();
        change.set("network_ipam_refs", refs);
        rest.update("virtual-network", world.networkUuid(), change);
    }

    /** The addresses of every {@code tf_reserved=[...]} the endpoint logged as changed after the log's first {@code from} chars. */
    static List<String> reservedLoggedSince(int from) {
        List<String> out = new ArrayList<>();
        for (String line : ensm.log().substring(from).split("\n")) {
            int at = line.indexOf("tf_reserved=[");
            if (line.contains("event=tf-endpoint-changed") && at >= 0) {
                String list = line.substring(at + "tf_reserved=[".length());
                out.addAll(List.of(list.substring(0, Math.max(0, list.indexOf(']'))).split(", ")));
            }
        }
        return out;
    }

    static int vlanOf(String ensmId) {
        return tfInterface(ensmId).map(v -> v.path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt()).orElse(-1);
    }

    /** An interface made by someone else in the network's project, with the given annotations. */
    static String operatorInterface(String name, String annotations) {
        ObjectNode fields = (ObjectNode) JSON.readTree("{\"virtual_network_refs\": [{\"to\": " + TfRest.array(world.networkFqName())
                + "}], \"annotations\": " + annotations + "}");
        return rest.create("virtual-machine-interface", "project", List.of(TfWorld.DOMAIN, world.project(), name), fields);
    }

    @Test
    void tfDownIsUnavailableAndLeavesNothingBehind() {
        tf.stop();
        try {
            assertThatThrownBy(() -> nsc.ns().request(Nsc.request(SERVICE, inTenMinutes())))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains(ENDPOINT, "backend provision failed", "cannot reach the TF API");
                    });
        } finally {
            tf.restart();
        }
        assertThat(world.interfaces().stream().map(uuid -> rest.fields("virtual-machine-interface", uuid).path("name").asString()))
                .filteredOn(name -> name.startsWith("ensm-")).isEmpty();
        Connection after = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        nsc.ns().close(after);
    }

    @Test
    void anUnknownVirtualNetworkStopsStartUpNamingTheEndpointAndTheKey() {
        String red = "default-domain:" + world.project() + ":red";
        Map<String, String> s = config(tf.url(), red);
        s.putAll(InProcessEnsm.settings(dir.resolve("data-refused")));

        assertThat(InProcessEnsm.failureOf(s)).contains("ensm.endpoints[0]", ENDPOINT, "virtual-network", "TF has no virtual network " + red);
    }
}
