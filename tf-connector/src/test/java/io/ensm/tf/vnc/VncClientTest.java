package io.ensm.tf.vnc;

import io.ensm.core.spi.Secret;
import io.ensm.tf.vncdouble.Seed;
import io.ensm.tf.vncdouble.VncApiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The VNC API client against the double: CRUD, actions, retries, timeouts and tokens. */
class VncClientTest {
    static final FqName BLUE = FqName.parse(Seed.Standard.NETWORK);
    final ObjectMapper json = new ObjectMapper();
    VncApiDouble api;
    Seed.Standard world;

    @BeforeEach
    void start() {
        api = VncApiDouble.start();
        world = Seed.standard(api);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    VncClient client(Duration timeout, int retries, TokenSource tokens) {
        return new VncClient(URI.create(api.url()), timeout, retries, tokens);
    }

    VncClient client() {
        return client(Duration.ofSeconds(5), 2, TokenSource.none());
    }

    ObjectNode instanceIp(String name, String address) {
        ObjectNode iip = json.createObjectNode();
        iip.set("fq_name", FqName.of(name).toJson());
        iip.put("instance_ip_address", address);
        iip.putArray("virtual_network_refs").addObject().set("to", BLUE.toJson());
        return iip;
    }

    @Test
    void createReadUpdateAndDeleteAnObject() throws Exception {
        try (VncClient c = client()) {
            String uuid = c.create("instance-ip", instanceIp("ip1", "10.60.0.5")).path("uuid").asString();

            ObjectNode read = c.read("instance-ip", uuid).orElseThrow();
            c.update("instance-ip", uuid, json.createObjectNode().put("display_name", "renamed"));

            assertThat(read.path("instance_ip_address").asString()).isEqualTo("10.60.0.5");
            assertThat(c.read("instance-ip", uuid).orElseThrow().path("display_name").asString()).isEqualTo("renamed");
            assertThat(c.delete("instance-ip", uuid)).isTrue();
            assertThat(c.delete("instance-ip", uuid)).isFalse();
            assertThat(c.read("instance-ip", uuid)).isEmpty();
        }
    }

    @Test
    void aReadOfSomeFieldsGivesThemAndTheIdentityWithoutBackRefs() throws Exception {
        try (VncClient c = client()) {
            c.create("instance-ip", instanceIp("ip1", "10.60.0.5"));

            ObjectNode brief = c.read("virtual-network", world.networkUuid(), List.of("network_ipam_refs")).orElseThrow();

            assertThat(brief.path("uuid").asString()).isEqualTo(world.networkUuid());
            assertThat(brief.path("fq_name").toString()).isEqualTo(BLUE.toJson().toString());
            assertThat(brief.path("network_ipam_refs").isArray()).isTrue();
            assertThat(brief.has("instance_ip_back_refs")).isFalse();
            assertThat(brief.has("display_name")).isFalse();
            assertThat(c.read("virtual-network", world.networkUuid()).orElseThrow().has("instance_ip_back_refs")).isTrue();
            assertThat(c.read("virtual-network", "00000000-0000-0000-0000-000000000000", List.of("network_ipam_refs"))).isEmpty();
        }
    }

    @Test
    void fqNameToIdFindsOrAnswersEmpty() throws Exception {
        try (VncClient c = client()) {
            assertThat(c.fqNameToId("virtual-network", BLUE)).contains(world.networkUuid());
            assertThat(c.fqNameToId("virtual-network", FqName.parse("default-domain:admin:red"))).isEmpty();
        }
    }

    @Test
    void refUpdateAddsAndRemovesARef() throws Exception {
        try (VncClient c = client()) {
            String pi = c.fqNameToId("physical-interface", FqName.parse("default-global-system-config:leaf1:xe-0/0/2")).orElseThrow();

            c.refUpdate("virtual-port-group", world.portGroupUuid(), "physical-interface", pi, null, VncClient.RefOperation.ADD, null);
            List<String> added = refs(c.read("virtual-port-group", world.portGroupUuid()).orElseThrow());
            c.refUpdate("virtual-port-group", world.portGroupUuid(), "physical-interface", pi, null, VncClient.RefOperation.DELETE, null);

            assertThat(added).contains(pi);
            assertThat(refs(c.read("virtual-port-group", world.portGroupUuid()).orElseThrow())).doesNotContain(pi);
        }
    }

    static List<String> refs(ObjectNode vpg) {
        return vpg.path("physical_interface_refs").valueStream().map(r -> r.path("uuid").asString()).toList();
    }

    @Test
    void listGivesTheObjectsUnderAParentInDetailOrWithTheFieldsAskedFor() throws Exception {
        try (VncClient c = client()) {
            String project = c.fqNameToId("project", FqName.parse("default-domain:admin")).orElseThrow();

            List<ObjectNode> detailed = c.list("virtual-network", project, List.of(), true);
            List<ObjectNode> brief = c.list("virtual-network", project, List.of("display_name"), false);

            assertThat(detailed).singleElement().satisfies(n -> assertThat(n.path("uuid").asString()).isEqualTo(world.networkUuid()));
            assertThat(detailed.getFirst().path("network_ipam_refs").isArray()).isTrue();
            assertThat(brief).singleElement().satisfies(n -> {
                assertThat(n.path("uuid").asString()).isEqualTo(world.networkUuid());
                assertThat(n.path("display_name").asString()).isEqualTo("blue");
                assertThat(n.has("network_ipam_refs")).isFalse();
            });
        }
    }

    @Test
    void anApiThatIsDownIsReportedAsNoAnswerAfterTheRetries() {
        api.stop();
        try (VncClient c = client(Duration.ofSeconds(2), 2, TokenSource.none())) {
            assertThatThrownBy(() -> c.read("virtual-network", world.networkUuid()))
                    .isInstanceOfSatisfying(VncException.class, e -> {
                        assertThat(e.status()).isEqualTo(VncException.NO_ANSWER);
                        assertThat(e.getMessage()).contains("GET " + api.url() + "/virtual-network/", "cannot reach the TF API");
                    });
            assertThat(c.calls()).isEqualTo(3);
        }
    }

    @Test
    void a503IsRetriedAndTheCallSucceedsWhenTheApiComesBack() throws Exception {
        api.failNext(2, "GET", "/virtual-network/", 503, "Service Unavailable");
        try (VncClient c = client()) {
            assertThat(c.read("virtual-network", world.networkUuid())).isPresent();
        }
        assertThat(api.calls()).filteredOn(s -> s.startsWith("GET /virtual-network/")).hasSize(3);
    }

    @Test
    void retriesAreBounded() {
        api.failNext(10, "GET", "/virtual-network/", 503, "Service Unavailable");
        try (VncClient c = client(Duration.ofSeconds(2), 1, TokenSource.none())) {
            assertThatThrownBy(() -> c.read("virtual-network", world.networkUuid()))
                    .isInstanceOfSatisfying(VncException.class, e -> assertThat(e.status()).isEqualTo(503));
        }
        assertThat(api.calls()).filteredOn(s -> s.startsWith("GET /virtual-network/")).hasSize(2);
    }

    @Test
    void aRefusalIsNotRetriedAndCarriesTfsMessage() throws Exception {
        try (VncClient c = client()) {
            c.create("instance-ip", instanceIp("ip1", "10.60.0.5"));
            api.clearCalls();

            assertThatThrownBy(() -> c.create("instance-ip", instanceIp("ip1", "10.60.0.6")))
                    .isInstanceOfSatisfying(VncException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.detail()).startsWith("['ip1'] already exists with uuid: ");
                    });
        }
        assertThat(api.calls()).hasSize(1);
    }

    @Test
    void aTimeoutIsRetriedForReadsButNotForCreates() {
        api.delayAnswers(Duration.ofMillis(600));
        try (VncClient c = client(Duration.ofMillis(200), 1, TokenSource.none())) {
            assertThatThrownBy(() -> c.read("virtual-network", world.networkUuid()))
                    .isInstanceOfSatisfying(VncException.class, e -> assertThat(e.detail()).isEqualTo("no answer within 200 ms"));
            assertThat(c.calls()).isEqualTo(2);

            assertThatThrownBy(() -> c.create("instance-ip", instanceIp("ip1", "10.60.0.5")))
                    .isInstanceOfSatisfying(VncException.class, e -> assertThat(e.detail()).contains("may or may not have been made"));
            assertThat(c.calls()).isEqualTo(3);
        }
    }

    @Test
    void aFixedTokenIsSentAndARefusedOneIsNeverShown() throws Exception {
        api.requireToken("the-right-token");
        try (VncClient good = client(Duration.ofSeconds(2), 0, TokenSource.fixed(Secret.of("the-right-token")));
             VncClient bad = client(Duration.ofSeconds(2), 0, TokenSource.fixed(Secret.of("a-wrong-token")))) {
            assertThat(good.read("virtual-network", world.networkUuid())).isPresent();
            assertThatThrownBy(() -> bad.read("virtual-network", world.networkUuid()))
                    .isInstanceOfSatisfying(VncException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.getMessage()).doesNotContain("a-wrong-token");
                    });
        }
    }

    @Test
    void keystoneTokensAreFetchedSentAndRenewedWhenTheApiRefusesThem() throws Exception {
        api.keystoneUser("ensm", "keystone-password", "admin");
        KeystoneTokens tokens = new KeystoneTokens(new KeystoneTokens.Credentials(URI.create(api.url() + "/v3"), "ensm",
                Secret.of("keystone-password"), "Default", "admin", "Default"), Duration.ofSeconds(2), Clock.systemUTC());
        try (VncClient c = client(Duration.ofSeconds(2), 0, tokens)) {
            assertThat(c.read("virtual-network", world.networkUuid())).isPresent();
            api.revokeTokens();
            assertThat(c.read("virtual-network", world.networkUuid())).isPresent();
        }
        assertThat(api.calls()).filteredOn(s -> s.equals("POST /v3/auth/tokens")).hasSize(2);
        assertThat(tokens.toString()).doesNotContain("keystone-password");
    }

    @Test
    void aKeystoneRefusalNamesTheUserButNotThePassword() {
        api.keystoneUser("ensm", "keystone-password", "admin");
        KeystoneTokens tokens = new KeystoneTokens(new KeystoneTokens.Credentials(URI.create(api.url()), "ensm",
                Secret.of("not-the-password"), "Default", "admin", "Default"), Duration.ofSeconds(2), Clock.systemUTC());
        try (VncClient c = client(Duration.ofSeconds(2), 0, tokens)) {
            assertThatThrownBy(() -> c.read("virtual-network", world.networkUuid()))
                    .isInstanceOfSatisfying(VncException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.getMessage()).contains("user 'ensm'").doesNotContain("not-the-password");
                    });
        }
    }

    @Test
    void aSecretNeverShowsItsText() {
        assertThat(Secret.of("hunter2").toString()).doesNotContain("hunter2");
    }
}
