package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.tf.vncdouble.ObjectStore;
import io.ensm.tf.vncdouble.Seed;
import io.ensm.tf.vncdouble.VncApiDouble;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real service in its own JVM with a {@code tungsten} endpoint pointed at the VNC API double:
 * an NSC's Request creates the interface and instance-ip in "TF", Close removes them.
 */
class TungstenEndToEndTest {
    static final String SERVICE = "blue";
    static final String ENDPOINT = "blue-nse";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    @AutoClose
    static VncApiDouble tf;
    @AutoClose
    static EnsmProcess ensm;
    @AutoClose
    static Nsc nsc;

    @BeforeAll
    static void start() {
        tf = VncApiDouble.start();
        Seed.standard(tf);
        ensm = new EnsmProcess(dir, config(tf.url(), Seed.Standard.NETWORK)).start();
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
        p.put("ensm.endpoints[0].backend.settings.port-group", Seed.Standard.PORT_GROUP);
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

    static ObjectStore.Obj tfInterface(String ensmId) {
        return tf.store().find("virtual-machine-interface", List.of("default-domain", "admin", "ensm-" + ensmId));
    }

    static ObjectStore.Obj tfInstanceIp(String ensmId) {
        return tf.store().find("instance-ip", List.of("ensm-" + ensmId + "-v4"));
    }

    @Test
    void requestCreatesTheInterfaceOnTheFabricVlanAndTheInstanceIpAndCloseRemovesThem() {
        Connection reply = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        String ensmId = Nsc.ensmId(reply);
        int vlan = Integer.parseInt(reply.getMechanism().getParametersOrThrow("vlan-id"));
        String nseAddress = reply.getContext().getIpContext().getDstIpAddrs(0);

        ObjectStore.Obj vmi = tfInterface(ensmId);
        assertThat(vmi).as("TF interface of %s in %s", ensmId, tf.calls()).isNotNull();
        JsonNode f = vmi.fields();
        assertThat(vlan).isBetween(300, 309);
        assertThat(f.path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt()).isEqualTo(vlan);
        assertThat(f.path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt()).isEqualTo(vlan);
        assertThat(f.path("annotations").toString()).contains(ensmId, ENDPOINT);
        ObjectStore.Obj iip = tfInstanceIp(ensmId);
        assertThat(iip).isNotNull();
        assertThat(iip.fields().path("instance_ip_address").asString() + "/32").isEqualTo(nseAddress);

        nsc.ns().close(reply);

        assertThat(tfInterface(ensmId)).isNull();
        assertThat(tfInstanceIp(ensmId)).isNull();
    }

    @Test
    void aRefreshMakesNoCallToTf() {
        Connection first = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        tf.clearCalls();

        Connection refreshed = nsc.ns().request(Nsc.refresh(first, inTenMinutes().plusSeconds(60)));

        assertThat(Nsc.ensmId(refreshed)).isEqualTo(Nsc.ensmId(first));
        // Reconciliation passes (every 2 s here) may read meanwhile; a refresh must change nothing.
        assertThat(tf.calls()).filteredOn(c -> !c.startsWith("GET ")).isEmpty();
        nsc.ns().close(refreshed);
    }

    @Test
    void theRunningServiceRepairsDriftAndRemovesMarkedOrphansButNothingElse() throws Exception {
        Connection reply = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        String ensmId = Nsc.ensmId(reply);
        int vlan = Integer.parseInt(reply.getMechanism().getParametersOrThrow("vlan-id"));
        String vmi = tfInterface(ensmId).uuid();
        tf.store().update("virtual-machine-interface", vmi, JSON.readTree(
                "{\"virtual-machine-interface\": {\"virtual_machine_interface_properties\": {\"sub_interface_vlan_tag\": 399}}}"));
        String orphan = operatorInterface("left-behind", "{\"key_value_pair\": [{\"key\": \"ensm-connection\", \"value\": \"gone\"},"
                + " {\"key\": \"ensm-endpoint\", \"value\": \"" + ENDPOINT + "\"},"
                + " {\"key\": \"ensm-owner\", \"value\": \"ensm-tf-e2e\"}]}");
        String foreign = operatorInterface("operator-port", "{\"key_value_pair\": []}");

        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline) && (tf.store().get(orphan) != null || vlanOf(ensmId) != vlan)) {
            Thread.sleep(200);
        }

        assertThat(vlanOf(ensmId)).as("VLAN of the interface after a reconciliation pass").isEqualTo(vlan);
        assertThat(tf.store().get(orphan)).as("the marked orphan").isNull();
        assertThat(tf.store().get(foreign)).as("the operator's own interface").isNotNull();
        nsc.ns().close(reply);
        assertThat(tfInterface(ensmId)).isNull();
    }

    static int vlanOf(String ensmId) {
        ObjectStore.Obj vmi = tfInterface(ensmId);
        return vmi == null ? -1 : vmi.fields().path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt();
    }

    /** An interface made by someone else in the network's project, with the given annotations. */
    static String operatorInterface(String name, String annotations) {
        String body = "{\"virtual-machine-interface\": {\"fq_name\": [\"default-domain\", \"admin\", \"" + name + "\"],"
                + " \"parent_type\": \"project\", \"virtual_network_refs\": [{\"to\": [\"default-domain\", \"admin\", \"blue\"]}],"
                + " \"annotations\": " + annotations + "}}";
        return tf.store().create("virtual-machine-interface", JSON.readTree(body)).path("virtual-machine-interface").path("uuid").asString();
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
        assertThat(tf.store().all("virtual-machine-interface")).filteredOn(o -> o.fqName().getLast().startsWith("ensm-")).isEmpty();
        Connection after = nsc.ns().request(Nsc.request(SERVICE, inTenMinutes()));
        nsc.ns().close(after);
    }

    @Test
    void anUnknownVirtualNetworkStopsStartUpNamingTheEndpointAndTheKey() {
        Map<String, String> s = config(tf.url(), "default-domain:admin:red");
        s.putAll(InProcessEnsm.settings(dir.resolve("data-refused")));

        assertThat(InProcessEnsm.failureOf(s))
                .contains("ensm.endpoints[0]", ENDPOINT, "virtual-network", "TF has no virtual network default-domain:admin:red");
    }
}
