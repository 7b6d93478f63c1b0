package io.ensm.netconf.backend;

import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.ietf.IetfDriver;
import io.ensm.netconf.driver.junos.JunosDriver;
import io.ensm.netconf.driver.openconfig.OpenconfigDriver;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fence word in a port's description, through each driver's rendering and parsing. */
class PortFenceTest {

    private static String ietfData(String description) {
        return "<data xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\">"
                + "<interface><name>eth1</name>" + (description == null ? "" : "<description>" + description + "</description>")
                + "</interface></interfaces></data>";
    }

    @Test
    void theOperatorsTextAndAnotherClustersWordAreKeptAndOnlyThisClustersWordIsReplaced() {
        PortFence fence = new PortFence(new IetfDriver(), "eth1", "prod");
        assertThat(fence.withToken("", 5)).isEqualTo("ensm-fence@prod:5");
        assertThat(fence.withToken("uplink to core", 5)).isEqualTo("uplink to core ensm-fence@prod:5");
        assertThat(fence.withToken("uplink ensm-fence@prod:3 to core", 7)).isEqualTo("uplink to core ensm-fence@prod:7");
        assertThat(fence.withToken("ensm-fence@lab:9 ensm-fence@prod:3", 4)).isEqualTo("ensm-fence@lab:9 ensm-fence@prod:4");
        assertThat(fence.withToken("ensm-fence@prod-2:9", 4)).as("another cluster whose name starts alike")
                .isEqualTo("ensm-fence@prod-2:9 ensm-fence@prod:4");
    }

    @Test
    void theTokenIsReadFromThisClustersWordOnly() {
        PortFence fence = new PortFence(new IetfDriver(), "eth1", "prod");
        assertThat(fence.token(ietfData(null))).isEqualTo(OptionalLong.empty());
        assertThat(fence.token(ietfData("operator: port 1"))).isEqualTo(OptionalLong.empty());
        assertThat(fence.token(ietfData("operator: port 1 ensm-fence@lab:40"))).isEqualTo(OptionalLong.empty());
        assertThat(fence.token(ietfData("operator: port 1 ensm-fence@prod:41"))).isEqualTo(OptionalLong.of(41));
        assertThat(fence.token(ietfData("ensm-fence@prod:41x"))).as("not a whole word").isEqualTo(OptionalLong.empty());
    }

    @Test
    void eachDriverReadsWhatItWritesOnThePortAlone() {
        for (Driver d : List.of(new IetfDriver(), new OpenconfigDriver(), new JunosDriver())) {
            String port = d instanceof JunosDriver ? "ge-0/0/1" : d instanceof OpenconfigDriver ? "Ethernet1" : "eth1";
            PortFence fence = new PortFence(d, port, "prod");
            String config = d.renderPortDescription(port, "core ensm-fence@prod:12");
            // a reply holds what the edit wrote, inside <data>
            String data = "<data xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">" + config + "</data>";
            assertThat(fence.token(data)).as(d.name()).isEqualTo(OptionalLong.of(12));
            assertThat(d.portDescription(data, port)).as(d.name()).contains("core ensm-fence@prod:12");
            assertThat(d.portDescription(data, port + "9")).as(d.name()).isEmpty();
            assertThat(fence.render(data, 13)).as(d.name()).contains("core ensm-fence@prod:13").doesNotContain(":12");
            assertThat(d.portDescriptionFilter(port)).as(d.name()).contains(port).contains("description");
        }
    }

    @Test
    void aClusterNameThatIsNotOneWordIsRefused() {
        assertThatThrownBy(() -> new PortFence(new IetfDriver(), "eth1", "two words"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be one word");
    }
}
