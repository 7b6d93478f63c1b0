package io.ensm.tf.backend;

import io.ensm.core.spi.Verification;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which fabric an endpoint uses, against OpenSDN's server, whose own default-fabric is enterprise
 * style (the schema's default, and a fabric's style cannot be changed): ensm gives each connection
 * its own VLAN, which an enterprise-style fabric refuses from the second connection to a network
 * on, so such a fabric stops start-up with what to do about it.
 */
@RealOpenSdn
class TungstenFabricTest {
    TfBed bed;

    @BeforeEach
    void start(OpenSdn server) {
        bed = TfBed.on(server);
    }

    @AfterEach
    void close() {
        bed.close();
    }

    /** The settings an operator writes: no fabric, only the port group. */
    Map<String, String> withoutFabric() {
        Map<String, String> s = bed.settings();
        s.remove("fabric");
        return s;
    }

    @Test
    void withoutTheFabricSettingTheFabricHoldingThePortGroupIsUsed() throws Exception {
        try (TungstenBackend backend = TfBed.backend(TfBed.ENDPOINT, withoutFabric())) {
            var c1 = bed.intent("c1", 300, "10.60.0.1/32");
            var c2 = bed.intent("c2", 301, "10.60.0.3/32");

            backend.provision(c1);
            backend.provision(c2);

            assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
            assertThat(backend.verify(c2)).isEqualTo(Verification.PRESENT);
            assertThat(TungstenBackendLifecycleTest.binding(bed.vmi("c1"), "profile")).contains("\"fabric\":\"" + bed.world.fabric() + "\"");
        }
    }

    @Test
    void aPortGroupInTfsOwnDefaultFabricStopsStartUpNamingTheKeyAndBothRemedies() {
        String group = "uplink-" + bed.world.tag();
        TfWorld.portGroup(bed.rest, "default-fabric", group, bed.world.port(2));
        Map<String, String> s = withoutFabric();
        s.put("port-group", group);

        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, s)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("fabric: ").contains(
                        "fabric 'default-fabric' (holding virtual-port-group '" + group + "') is enterprise style",
                        "one VLAN per virtual network",
                        "style cannot be changed",
                        "fabric_enterprise_style=false", "move virtual-port-group '" + group + "' there",
                        "disable_vlan_vn_uniqueness_check=true on fabric 'default-fabric'"));
    }

    @Test
    void anEnterpriseFabricWithTheUniquenessCheckDisabledServesSeveralConnectionsOfANetwork() throws Exception {
        String campus = "campus-" + bed.world.tag();
        String uuid = TfWorld.fabric(bed.rest, campus, true);
        bed.rest.update("fabric", uuid, "{\"disable_vlan_vn_uniqueness_check\":true}");
        String group = "uplink-" + bed.world.tag();
        TfWorld.portGroup(bed.rest, campus, group, bed.world.port(2));
        Map<String, String> s = withoutFabric();
        s.put("port-group", group);

        try (TungstenBackend backend = TfBed.backend(TfBed.ENDPOINT, s)) {
            backend.provision(bed.intent("c1", 300, "10.60.0.1/32"));
            backend.provision(bed.intent("c2", 301, "10.60.0.3/32"));

            assertThat(backend.verify(bed.intent("c2", 301, "10.60.0.3/32"))).isEqualTo(Verification.PRESENT);
        }
    }

    @Test
    void aPortGroupNameInTwoFabricsAsksForTheFabricSetting() {
        String other = "other-" + bed.world.tag();
        TfWorld.fabric(bed.rest, other, false);
        TfWorld.portGroup(bed.rest, other, bed.world.portGroup(), bed.world.port(2));

        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, withoutFabric())).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("fabric: ").contains(
                        "virtual-port-group '" + bed.world.portGroup() + "' is in more than one fabric", bed.world.fabric(), other));
        Map<String, String> chosen = withoutFabric();
        chosen.put("fabric", bed.world.fabric());
        TfBed.backend(TfBed.ENDPOINT, chosen).close();
    }

    @Test
    void aPortGroupInNoFabricNamesThePortGroupSetting() {
        Map<String, String> s = withoutFabric();
        s.put("port-group", "nowhere-" + bed.world.tag());

        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("port-group: TF has no virtual-port-group 'nowhere-" + bed.world.tag() + "' in any fabric");
    }

    @Test
    void aPassWithoutTheFabricSettingCostsSixCallsAsWithIt() throws Exception {
        try (TungstenBackend backend = TfBed.backend(TfBed.ENDPOINT, withoutFabric())) {
            bed.clearCalls();

            backend.removeOrphans(id -> true);

            assertThat(bed.calls()).containsExactly("POST /fqname-to-id", "GET /virtual-network/" + bed.world.networkUuid(),
                    "POST /fqname-to-id", "GET /virtual-port-group/" + bed.world.portGroupUuid(),
                    "GET /fabric/" + bed.world.fabricUuid(), "GET /virtual-machine-interfaces");
        }
    }
}
