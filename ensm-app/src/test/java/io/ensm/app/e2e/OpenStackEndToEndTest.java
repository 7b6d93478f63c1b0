package io.ensm.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.ensm.api.connection.Connection;
import io.ensm.ctl.Cli;
import io.ensm.ctl.ConnectionFile;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real service (own JVM) with an {@code openstack} network endpoint and trunk endpoint, against
 * the real Keystone and Neutron, driven by ensmctl. What ensm did is read back with raw Neutron
 * requests and the openstack CLI; Neutron's own request log shows what a restart sends.
 */
@RealOpenStack
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenStackEndToEndTest {
    static final String PREFIX = "e2e-os-";

    @TempDir
    static Path dir;
    static TestBed bed;
    static RawOpenStack raw;
    static String network;
    static RawOpenStack.Trunk vm;
    static String operatorPort;
    static String operatorSubport;
    static EnsmProcess ensm;
    static Connection toNetwork;
    static Connection toVm;
    static String lanNetwork;
    static String lanOperatorPort;

    @BeforeAll
    static void start(TestBed testBed) {
        bed = testBed;
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        network = raw.vlanNetwork(PREFIX + "net", "physnet1", 190, "172.16.90.0/24", null);
        String pool = raw.vlanNetwork(PREFIX + "sub-185", "physnet1", 185, "172.16.90.0/24", null, "ensm-subports=e2e");
        raw.vlanNetwork(PREFIX + "sub-186", "physnet1", 186, "172.16.90.0/24", null, "ensm-subports=e2e");
        String vmNet = raw.vlanNetwork(PREFIX + "vm-net", "physnet1", 191, "10.191.0.0/24", null);
        vm = raw.vmTrunk(PREFIX + "vm", vmNet, UUID.randomUUID().toString());
        // a segment's network: the service's CIDR is its subnet, the segment's gateway Neutron's
        lanNetwork = raw.vlanNetwork(PREFIX + "lan", "physnet1", 192, null, null);
        raw.subnet(lanNetwork, PREFIX + "lan-v4", "172.16.92.0/24", "172.16.92.1");
        // an operator's port on an address ensm's pool would hand out third: the segment's join reads it
        lanOperatorPort = raw.port(PREFIX + "lan-operator", lanNetwork, "172.16.92.4");
        // an operator's mistake: the subnet is not the service's CIDR
        String odd = raw.vlanNetwork(PREFIX + "odd", "physnet1", 193, null, null);
        raw.subnet(odd, PREFIX + "odd-v4", "172.16.94.0/24", "172.16.94.1");
        // what an operator made by hand, in the same places: ensm must never touch it
        operatorPort = raw.port(PREFIX + "operator", network, "172.16.90.200");
        operatorSubport = raw.port(PREFIX + "operator-sub", raw.vlanNetwork(PREFIX + "sub-187", "physnet1", 187, null, null));
        raw.put("/trunks/" + vm.id() + "/add_subports", RawOpenStack.parse("{\"sub_ports\":[{\"port_id\":\"" + operatorSubport
                + "\",\"segmentation_type\":\"vlan\",\"segmentation_id\":187}]}"));
        ensm = new EnsmProcess(dir, config()).start();
    }

    @AfterAll
    static void stop() {
        if (ensm != null) {
            ensm.close();
        }
        if (raw != null) {
            raw.sweep(PREFIX);
        }
    }

    static Map<String, String> config() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", "ensm-os-e2e");
        p.put("ensm.reconcile-interval", "2s");
        p.put("ensm.services[0].name", "os-net");
        p.put("ensm.services[0].cidrs[0]", "172.16.90.0/25");
        p.put("ensm.services[1].name", "os-vm");
        p.put("ensm.services[1].cidrs[0]", "172.16.90.128/25");
        p.put("ensm.services[2].name", "os-lan");
        p.put("ensm.services[2].cidrs[0]", "172.16.92.0/24");
        p.put("ensm.services[2].segment.gateways[0]", "172.16.92.1");
        p.put("ensm.services[2].segment.routes[0]", "0.0.0.0/0");
        p.put("ensm.services[3].name", "os-odd");
        p.put("ensm.services[3].cidrs[0]", "172.16.93.0/24");
        p.put("ensm.services[3].segment.gateways[0]", "172.16.93.1");
        Map<String, String> login = bed.adminSettings(dir.resolve("os-password"));
        endpoint(p, 0, "os-net-1", "os-net", login, Map.of("network", PREFIX + "net"));
        endpoint(p, 1, "os-vm-1", "os-vm", login, Map.of("trunk", PREFIX + "vm", "vlans", "185-186",
                "subport-networks", "ensm-subports=e2e"));
        endpoint(p, 2, "os-lan-1", "os-lan", login, Map.of("network", PREFIX + "lan"));
        endpoint(p, 3, "os-odd-1", "os-odd", login, Map.of("network", PREFIX + "odd"));
        return p;
    }

    static void endpoint(Map<String, String> p, int i, String name, String service, Map<String, String> login, Map<String, String> target) {
        String key = "ensm.endpoints[" + i + "]";
        p.put(key + ".name", name);
        p.put(key + ".service", service);
        p.put(key + ".backend.type", "openstack");
        Map<String, String> s = new LinkedHashMap<>(login);
        s.putAll(Map.of("physical-network", "physnet1", "uplink", "eth1"));
        s.putAll(target);
        s.forEach((k, v) -> p.put(key + ".backend.settings." + k, v));
    }

    static Cli.Result ensmctl(String... args) {
        List<String> all = new ArrayList<>(List.of("--timeout", "60s"));
        all.addAll(List.of(args));
        return Cli.against(ensm.target(), "ensmctl-os-e2e").run(all.toArray(String[]::new));
    }

    static Connection request(String service, String expires, String file) {
        Cli.Result r = ensmctl("request", "--service", service, "--mechanism", "VLAN", "--expires", expires,
                "--save", dir.resolve(file).toString());
        assertThat(r.exitCode()).as(r.err() + "\n" + ensm.log()).isZero();
        return ConnectionFile.load(dir.resolve(file));
    }

    /** ensm's connection id: the id of its own path segment, which marks its Neutron ports. */
    static String ensmId(Connection c) {
        return c.getPath().getPathSegments(c.getPath().getIndex() + 1).getId();
    }

    static String addressOf(Connection c) {
        return c.getContext().getIpContext().getDstIpAddrs(0).replace("/32", "");
    }

    static List<JsonNode> portsOf(Connection c) {
        return raw.portsTagged("ensm-connection=" + ensmId(c));
    }

    /** POST, PUT and DELETE requests in Neutron's own log. */
    static long neutronWrites() throws IOException {
        return Files.readAllLines(bed.neutronLog(), StandardCharsets.UTF_8).stream()
                .filter(l -> l.matches(".*\"(POST|PUT|DELETE) /v2\\.0/.*")).count();
    }

    static String openstackCli(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", ". " + bed.adminrc() + " && " + command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + "\n" + ensm.log()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @Test
    @Order(1)
    void aConnectionToTheNetworkNseIsAMarkedPortWithTheVlanAndFixedIp() {
        toNetwork = request("os-net", "10m", "net.json");

        assertThat(toNetwork.getNetworkServiceEndpointName()).isEqualTo("os-net-1");
        assertThat(toNetwork.getMechanism().getParametersOrThrow("vlan-id")).isEqualTo("190");
        JsonNode port = portsOf(toNetwork).getFirst();
        assertThat(port.path("network_id").asText()).isEqualTo(network);
        assertThat(RawOpenStack.fixedIps(port)).containsExactly(addressOf(toNetwork));
        assertThat(RawOpenStack.texts(port.path("tags"))).contains("ensm-endpoint=os-net-1");
    }

    @Test
    @Order(2)
    void aConnectionToTheTrunkNseIsASubportWithTheVlanAndFixedIp() throws Exception {
        toVm = request("os-vm", "10m", "vm.json");

        int vlan = Integer.parseInt(toVm.getMechanism().getParametersOrThrow("vlan-id"));
        assertThat(vlan).isBetween(185, 186);
        JsonNode port = portsOf(toVm).getFirst();
        assertThat(RawOpenStack.fixedIps(port)).containsExactly(addressOf(toVm));
        assertThat(port.path("mac_address").asText()).isEqualTo(vm.parentMac());
        // the openstack CLI's view of the trunk
        JsonNode subports = RawOpenStack.parse(openstackCli("openstack network subport list --trunk " + vm.id() + " -f json"));
        assertThat(subports).anySatisfy(s -> {
            assertThat(s.path("Port").asText()).isEqualTo(port.path("id").asText());
            assertThat(s.path("Segmentation Type").asText()).isEqualTo("vlan");
            assertThat(s.path("Segmentation ID").asInt()).isEqualTo(vlan);
        });
    }

    @Test
    @Order(3)
    void aRestartOfEnsmChangesNothingInNeutron() throws Exception {
        String netPort = portsOf(toNetwork).getFirst().path("id").asText();
        String vmPort = portsOf(toVm).getFirst().path("id").asText();
        Thread.sleep(1000); // Neutron logs a request after answering it
        long writes = neutronWrites();

        ensm.stop();
        assertThat(ensm.log()).contains("event=ensm-stopped");
        ensm.start();
        // let the periodic reconciliation (every 2 s) and its orphan sweep run a few times
        Thread.sleep(6000);

        assertThat(neutronWrites()).as("POST/PUT/DELETE in Neutron's log").isEqualTo(writes);
        assertThat(portsOf(toNetwork)).singleElement().satisfies(p -> assertThat(p.path("id").asText()).isEqualTo(netPort));
        assertThat(portsOf(toVm)).singleElement().satisfies(p -> assertThat(p.path("id").asText()).isEqualTo(vmPort));
        assertThat(ensm.log()).contains("event=recovery-done loaded=2 verified=2 repaired=0");
        Cli.Result refresh = ensmctl("refresh", "--from", dir.resolve("net.json").toString());
        assertThat(refresh.exitCode()).as(refresh.err()).isZero();
        assertThat(neutronWrites()).isEqualTo(writes);
    }

    @Test
    @Order(4)
    void closeRemovesThePortAndTheSubport() throws Exception {
        String vmPort = portsOf(toVm).getFirst().path("id").asText();

        assertThat(ensmctl("close", "--from", dir.resolve("net.json").toString()).exitCode()).isZero();
        assertThat(ensmctl("close", "--from", dir.resolve("vm.json").toString()).exitCode()).isZero();

        assertThat(portsOf(toNetwork)).isEmpty();
        assertThat(portsOf(toVm)).isEmpty();
        assertThat(raw.subports(vm.id())).extracting(s -> s.path("port_id").asText()).doesNotContain(vmPort);
    }

    @Test
    @Order(5)
    void expiryRemovesThePort() throws Exception {
        Connection shortLived = request("os-net", "15s", "short.json");
        assertThat(portsOf(shortLived)).hasSize(1);

        await("port removed by expiry", Duration.ofSeconds(60), () -> portsOf(shortLived).isEmpty());
        assertThat(ensm.log()).contains("connection=" + ensmId(shortLived) + " cause=EXPIRY");
    }

    @Test
    @Order(6)
    void whatTheOperatorMadeIsNeverTouched() {
        assertThat(raw.status("/ports/" + operatorPort)).isEqualTo(200);
        assertThat(RawOpenStack.fixedIps(raw.get("/ports/" + operatorPort).path("port"))).containsExactly("172.16.90.200");
        assertThat(raw.subports(vm.id())).anySatisfy(s -> {
            assertThat(s.path("port_id").asText()).isEqualTo(operatorSubport);
            assertThat(s.path("segmentation_id").asInt()).isEqualTo(187);
        });
    }

    @Test
    @Order(7)
    void fiveConnectionsOfASegmentServiceShareTheNetworkEndpointEachAMarkedPortWithItsAddress() throws Exception {
        List<Connection> members = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            members.add(request("os-lan", "10m", "lan-" + i + ".json"));
        }

        List<String> addresses = new ArrayList<>();
        for (Connection c : members) {
            assertThat(c.getNetworkServiceEndpointName()).isEqualTo("os-lan-1");
            assertThat(c.getMechanism().getParametersOrThrow("vlan-id")).isEqualTo("192");
            assertThat(c.getContext().getIpContext().getDstIpAddrsList()).containsExactly("172.16.92.1/24");
            assertThat(c.getContext().getIpContext().getSrcIpAddrsList()).singleElement()
                    .satisfies(a -> assertThat(a).startsWith("172.16.92.").endsWith("/24"));
            String address = c.getContext().getIpContext().getSrcIpAddrs(0).replace("/24", "");
            addresses.add(address);
            assertThat(portsOf(c)).singleElement().satisfies(port -> {
                assertThat(port.path("network_id").asText()).isEqualTo(lanNetwork);
                assertThat(RawOpenStack.fixedIps(port)).containsExactly(address);
                assertThat(RawOpenStack.texts(port.path("tags"))).contains("ensm-endpoint=os-lan-1", "ensm-owner=ensm-os-e2e");
            });
        }
        assertThat(addresses).doesNotHaveDuplicates().doesNotContain("172.16.92.1", "172.16.92.4");
        assertThat(raw.get("/ports?network_id=" + lanNetwork).path("ports")).hasSize(6);

        for (int i = 0; i < 5; i++) {
            Cli.Result closed = ensmctl("close", "--from", dir.resolve("lan-" + i + ".json").toString());
            assertThat(closed.exitCode()).as(closed.err()).isZero();
        }
        assertThat(raw.get("/ports?network_id=" + lanNetwork).path("ports")).singleElement()
                .satisfies(p -> assertThat(p.path("id").asText()).isEqualTo(lanOperatorPort));
        assertThat(ensm.log()).contains("event=segment-left endpoint=os-lan-1 service=os-lan vlan=192");
    }

    @Test
    @Order(8)
    void aSegmentWhoseCidrIsNotTheNetworksSubnetIsRefusedNamingTheNetworkAndLeavesNothing() {
        Cli.Result r = ensmctl("request", "--service", "os-odd", "--mechanism", "VLAN", "--expires", "10m",
                "--save", dir.resolve("odd.json").toString());

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("FAILED_PRECONDITION", "network " + PREFIX + "odd has no subnet 172.16.93.0/24",
                "172.16.94.0/24 gateway 172.16.94.1");
        assertThat(raw.portsTagged("ensm-endpoint=os-odd-1")).isEmpty();
        // the segment's VLAN (the network's one) was given back: a second try meets the same refusal, not an exhausted pool
        Cli.Result again = ensmctl("request", "--service", "os-odd", "--mechanism", "VLAN", "--expires", "10m",
                "--save", dir.resolve("odd.json").toString());
        assertThat(again.err()).contains("network " + PREFIX + "odd has no subnet").doesNotContain("RESOURCE_EXHAUSTED");
    }
}
