package io.ensm.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.openstack.keystone.IssuedToken;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.ensm.core.testing.Contexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ensm as an ordinary member of a project, as an operator would run it: provider attributes are
 * hidden, the networks were made for the project by an admin, quotas apply. And the password and
 * tokens of that user never reach a log line.
 */
@RealOpenStack
class ProjectMemberTest {
    static final String PREFIX = "pmt-";
    static final String USER = "pmt-ensm";
    static final String PASSWORD = "Pmt-Pw-" + UUID.randomUUID();
    static final String POOL_TAG = "ensm-subports=pmt";

    static RawOpenStack raw;
    static String project;
    static Path dir;
    static TestBed bed;
    static RawOpenStack.Trunk vm;
    static final List<String> tokensSeen = new ArrayList<>();

    @BeforeAll
    static void setUp(TestBed testBed, @TempDir Path tmp) {
        bed = testBed;
        dir = tmp;
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        project = raw.createProject(PREFIX + "project");
        raw.createMember(USER, PASSWORD, project);
        raw.portQuota(project, -1);
        raw.vlanNetwork(PREFIX + "net", "physnet1", 145, "172.16.45.0/24", project);
        String vmNet = raw.vlanNetwork(PREFIX + "vm-net", "physnet1", 146, "10.146.0.0/24", project);
        raw.vlanNetwork(PREFIX + "sub-147", "physnet1", 147, "172.16.47.0/24", project, POOL_TAG, "ensm-vlan=147");
        vm = raw.vmTrunk(PREFIX + "vm", vmNet, UUID.randomUUID().toString(), project);
    }

    @AfterAll
    static void tearDown() {
        if (raw != null) {
            raw.portQuota(project, -1);
            raw.sweep(PREFIX);
        }
    }

    static Map<String, String> member(Map<String, String> target) {
        Path pw = dir.resolve("member-password");
        TestBed.writePassword(pw, PASSWORD);
        Map<String, String> s = new LinkedHashMap<>();
        s.put("auth-url", bed.keystoneUrl());
        s.put("username", USER);
        s.put("password-file", pw.toString());
        s.put("project", PREFIX + "project");
        s.put("physical-network", "physnet1");
        s.put("uplink", "eth1");
        s.putAll(target);
        return s;
    }

    static OpenStackBackend backend(String endpoint, Map<String, String> target) {
        OpenStackBackend b = (OpenStackBackend) new OpenStackBackendProvider().create(Contexts.backend(Intents.endpoint(endpoint), member(target)));
        return b;
    }

    static void remember(OpenStackBackend b) throws BackendException {
        IssuedToken t = b.cloud().tokens().token();
        tokensSeen.add(t.id());
    }

    @Test
    void withHiddenProviderAttributesTheNetworksSegmentMustBeConfigured() {
        assertThatThrownBy(() -> backend(PREFIX + "hidden", Map.of("network", PREFIX + "net")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("vlans: not set")
                .hasMessageContaining("provider attributes are hidden from this user");
    }

    @Test
    void aMemberGetsItsPortOnANetworkMadeForItsProject() throws Exception {
        OpenStackBackend b = backend(PREFIX + "edge", Map.of("network", PREFIX + "net", "vlans", "145"));
        ProvisionIntent i = Intents.intent(PREFIX + "edge", b.capabilities().vlanPool(), 145, "172.16.45.10", "172.16.45.11");

        b.provision(i);
        remember(b);

        JsonNode port = raw.portsTagged("ensm-connection=" + i.connectionId()).getFirst();
        assertThat(port.path("project_id").asText()).isEqualTo(project);
        assertThat(RawOpenStack.fixedIps(port)).containsExactly("172.16.45.10");
        b.release(i);
        assertThat(b.verify(i)).isEqualTo(Verification.MISSING);
    }

    @Test
    void aMemberFindsSubportNetworksByTheirVlanTag() throws Exception {
        OpenStackBackend b = backend(PREFIX + "vm-ep", Map.of("trunk", PREFIX + "vm", "vlans", "147-148", "subport-networks", POOL_TAG));
        ProvisionIntent i = Intents.intent(PREFIX + "vm-ep", "uplink:eth1", 147, "172.16.47.10", "172.16.47.11");

        b.provision(i);
        remember(b);

        JsonNode port = raw.portsTagged("ensm-connection=" + i.connectionId()).getFirst();
        assertThat(raw.subports(vm.id())).anySatisfy(s -> {
            assertThat(s.path("port_id").asText()).isEqualTo(port.path("id").asText());
            assertThat(s.path("segmentation_id").asInt()).isEqualTo(147);
        });
        b.release(i);
    }

    @Test
    void anExhaustedPortQuotaIsExhaustedWithNeutronsMessage() throws Exception {
        OpenStackBackend b = backend(PREFIX + "quota", Map.of("network", PREFIX + "net", "vlans", "145"));
        int ports = raw.get("/ports?project_id=" + project).path("ports").size();
        raw.portQuota(project, ports + 1);
        ProvisionIntent first = Intents.intent(PREFIX + "quota", b.capabilities().vlanPool(), 145, "172.16.45.20", "172.16.45.21");
        ProvisionIntent second = Intents.intent(PREFIX + "quota", b.capabilities().vlanPool(), 145, "172.16.45.22", "172.16.45.23");
        try {
            b.provision(first);
            remember(b);

            assertThatThrownBy(() -> b.provision(second))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.EXHAUSTED);
                        assertThat(e.getMessage()).contains("OverQuota", "Quota exceeded for resources: ['port']");
                    });
            assertThat(raw.portsTagged("ensm-connection=" + second.connectionId())).isEmpty();
        } finally {
            raw.portQuota(project, -1);
            b.release(first);
        }
    }

    @Test
    void thePasswordAndTokensNeverReachTheLog() throws Exception {
        OpenStackBackend b = backend(PREFIX + "secrets", Map.of("network", PREFIX + "net", "vlans", "145"));
        ProvisionIntent i = Intents.intent(PREFIX + "secrets", b.capabilities().vlanPool(), 145, "172.16.45.30", "172.16.45.31");
        b.provision(i);
        remember(b);
        String revoked = b.cloud().tokens().token().id();
        raw.revoke(revoked);
        while (raw.statusWithToken(revoked) != 401) {
            Thread.sleep(500);
        }
        b.release(i);
        remember(b);
        Path wrong = dir.resolve("wrong");
        TestBed.writePassword(wrong, PASSWORD + "-wrong");
        Map<String, String> bad = member(Map.of("network", PREFIX + "net", "vlans", "145", "password-file", wrong.toString()));
        OpenStackBackend denied = new OpenStackBackendProvider().create(Intents.endpoint(PREFIX + "denied"), OpenStackSettings.parse(bad), Contexts.OWNER);
        assertThatThrownBy(() -> denied.verify(i)).isInstanceOfSatisfying(BackendException.class,
                e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));

        String log = Files.readString(Path.of("target/test-run.log"), StandardCharsets.UTF_8);
        assertThat(log).contains("event=keystone-token-issued user " + USER, "event=keystone-token-refused user " + USER);
        assertThat(log).doesNotContain(PASSWORD);
        assertThat(tokensSeen).hasSizeGreaterThanOrEqualTo(2).allSatisfy(t -> assertThat(log).doesNotContain(t));
        assertThat(b.toString()).doesNotContain(PASSWORD);
    }
}
