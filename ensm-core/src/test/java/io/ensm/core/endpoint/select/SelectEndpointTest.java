package io.ensm.core.endpoint.select;

import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Seed;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;
import static org.assertj.core.api.Assertions.assertThat;

class SelectEndpointTest {
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final Catalog catalog = Fixtures.catalog(
            List.of(Fixtures.service(), Fixtures.service("firewall", Payload.ETHERNET)),
            List.of(Fixtures.endpoint("router-1", Requests.SERVICE, backend),
                    Fixtures.endpoint("router-2", Requests.SERVICE, backend),
                    Fixtures.endpoint("fw-1", "firewall", backend)),
            null);
    private final RecordingTail tail = new RecordingTail();

    private Endpoint chain(EndpointChooser chooser, Element... before) {
        List<Element> elements = new ArrayList<>(List.of(before));
        elements.add(new SelectEndpoint(catalog, chooser));
        elements.add(tail);
        return new Endpoint(elements);
    }

    private Endpoint chain(Element... before) {
        return chain((service, labels, endpoints) -> endpoints, before);
    }

    private String selected(Endpoint e, NetworkServiceRequest r) {
        e.request(r, CallContext.client());
        assertThat(tail.lastRequest().getConnection().getNetworkServiceEndpointName())
                .isEqualTo(tail.lastContext().get(SelectEndpoint.ENDPOINT).name());
        return tail.lastContext().get(SelectEndpoint.ENDPOINT).name();
    }

    private static Seed knownOn(String endpoint) {
        StoredConnection s = Fixtures.stored("own-1", Phase.APPLIED, MutableClock.START);
        return Seed.with(LoadKnown.KNOWN, new StoredConnection(s.id(), endpoint, s.service(), s.phase(), s.plan(),
                s.allocation(), s.peer(), s.mtu(), s.attachment(), s.expires(), s.connection()));
    }

    @Test
    void namedEndpointIsUsedAndServiceIsPut() {
        Endpoint e = chain();
        assertThat(selected(e, Requests.request().endpoint("router-2").build())).isEqualTo("router-2");
        assertThat(tail.lastContext().get(SelectEndpoint.SERVICE).name()).isEqualTo(Requests.SERVICE);
    }

    @Test
    void namedEndpointMustExist() {
        assertStatus(() -> chain().request(Requests.request().endpoint("router-9").build(), CallContext.client()),
                NOT_FOUND, "'router-9'", "not one of this ensm's endpoints");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void namedEndpointMustProvideTheService() {
        assertStatus(() -> chain().request(Requests.request().endpoint("fw-1").build(), CallContext.client()),
                NOT_FOUND, "'fw-1' does not provide network service '" + Requests.SERVICE + "'");
    }

    @Test
    void unknownServiceIsNotFound() {
        assertStatus(() -> chain().request(Requests.request().service("nope").build(), CallContext.client()),
                NOT_FOUND, "network service 'nope'");
    }

    @Test
    void knownConnectionKeepsItsEndpoint() {
        Endpoint e = chain(knownOn("router-2"));
        for (int i = 0; i < 3; i++) {
            assertThat(selected(e, Requests.request().id("own-1").build())).isEqualTo("router-2");
        }
    }

    @Test
    void knownConnectionAskingForAnotherEndpointIsRejected() {
        assertStatus(() -> chain(knownOn("router-2")).request(Requests.request().id("own-1").endpoint("router-1").build(),
                CallContext.client()), INVALID_ARGUMENT, "bound to endpoint 'router-2'", "'router-1'");
    }

    @Test
    void candidatesAreChosenRoundRobin() {
        Endpoint e = chain();
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            chosen.add(selected(e, Requests.simple()));
        }
        assertThat(chosen).containsExactly("router-1", "router-2", "router-1", "router-2");
    }

    @Test
    void chooserSeesServiceLabelsAndEndpoints() {
        List<String> seen = new ArrayList<>();
        Endpoint e = chain((service, labels, endpoints) -> {
            seen.add(service.name() + " " + labels + " " + endpoints.stream().map(ExposedEndpoint::name).toList());
            return endpoints.subList(1, 2);
        });
        assertThat(selected(e, Requests.request().label("app", "web").build())).isEqualTo("router-2");
        assertThat(seen).containsExactly(Requests.SERVICE + " {app=web} [router-1, router-2]");
    }

    @Test
    void chooserReturningNothingIsNotFound() {
        assertStatus(() -> chain((s, l, e) -> List.of()).request(Requests.request().label("app", "db").build(), CallContext.client()),
                NOT_FOUND, "no endpoint of network service", "app=db");
    }

    @Test
    void aWithdrawnEndpointTakesNoNewConnectionButKeepsItsKnownOnes() {
        catalog.withdraw("router-2");

        assertStatus(() -> chain().request(Requests.request().endpoint("router-2").build(), CallContext.client()),
                NOT_FOUND, "'router-2'", "being withdrawn");
        Endpoint e = chain();
        for (int i = 0; i < 4; i++) {
            assertThat(selected(e, Requests.request().build())).isEqualTo("router-1");
        }
        assertThat(selected(chain(knownOn("router-2")), Requests.request().build())).isEqualTo("router-2");
    }
}
