package io.ensm.openstack.expose;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MarkerTest {

    @Test
    void aPortIsTaggedWithItsConnectionEndpointAndOwner() {
        Marker m = new Marker("edge-1", "ensm-a");
        assertThat(m.tags("c1")).containsExactly("ensm-connection=c1", "ensm-endpoint=edge-1", "ensm-owner=ensm-a");
        assertThat(m.ownerTag()).isEqualTo("ensm-owner=ensm-a");
    }

    @Test
    void theConnectionIsReadFromTagsWithOrWithoutOwner() {
        assertThat(Marker.connectionOf(List.of("ensm-endpoint=edge-1", "ensm-connection=c1", "ensm-owner=ensm-a"))).contains("c1");
        assertThat(Marker.connectionOf(List.of("ensm-connection=c1", "ensm-endpoint=edge-1"))).contains("c1");
        assertThat(Marker.connectionOf(List.of("operator"))).isEmpty();
    }

    @Test
    void anEndpointNameThatCannotBeATagIsRefused() {
        assertThatThrownBy(() -> new Marker("a,b", "ensm-a")).hasMessageContaining("cannot be a Neutron tag");
    }
}
