package io.ensm.core.endpoint;

import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.RecordingBackend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogTest {
    final ExposedEndpoint a = Fixtures.endpoint("a", Fixtures.service().name(), RecordingBackend.serving());
    final ExposedEndpoint b = Fixtures.endpoint("b", Fixtures.service().name(), RecordingBackend.serving());
    final Catalog catalog = new Catalog(List.of(Fixtures.service()), List.of(a), null);

    @Test
    void anAddedEndpointTakesConnections() {
        catalog.add(b);

        assertThat(catalog.endpointsOf(Fixtures.service().name())).containsExactly(a, b);
        assertThat(catalog.endpoint("b")).contains(b);
    }

    @Test
    void aWithdrawnEndpointTakesNoNewConnectionsButIsStillFoundByName() {
        catalog.add(b);

        catalog.withdraw("b");

        assertThat(catalog.endpointsOf(Fixtures.service().name())).containsExactly(a);
        assertThat(catalog.endpoint("b")).contains(b);
        assertThat(catalog.isWithdrawn("b")).isTrue();
        assertThat(catalog.endpoints()).containsExactly(a, b);
        catalog.restore("b");
        assertThat(catalog.endpointsOf(Fixtures.service().name())).containsExactly(a, b);
    }

    @Test
    void aRemovedEndpointIsGoneAndItsNameFree() {
        catalog.add(b);
        catalog.withdraw("b");

        assertThat(catalog.remove("b")).contains(b);

        assertThat(catalog.endpoint("b")).isEmpty();
        assertThat(catalog.isWithdrawn("b")).isFalse();
        assertThat(catalog.remove("b")).isEmpty();
        catalog.add(b);
        assertThat(catalog.endpoint("b")).contains(b);
    }

    @Test
    void anEndpointOfAnUnknownServiceOrATakenNameIsRefused() {
        assertThatThrownBy(() -> catalog.add(Fixtures.endpoint("c", "nope", RecordingBackend.serving())))
                .hasMessage("endpoint 'c' names unknown service 'nope'");
        assertThatThrownBy(() -> catalog.add(a)).hasMessage("endpoint 'a' is defined twice");
    }
}
