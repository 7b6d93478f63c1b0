package io.ensm.core.runtime;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.EndpointSource;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.RecordingBackend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointSyncTest {
    static final String SERVICE = Fixtures.service().name();

    final ExposedEndpoint fixed = Fixtures.endpoint("fixed", SERVICE, RecordingBackend.serving());
    final Catalog catalog = new Catalog(List.of(Fixtures.service()), List.of(fixed), null);
    final Set<String> withConnections = new HashSet<>();
    final List<String> published = new ArrayList<>();
    final List<String> pools = new ArrayList<>();
    final List<EndpointDefinition> answer = new ArrayList<>();
    BackendException failure;
    Set<String> askedFor;

    final EndpointSource source = services -> {
        askedFor = services;
        if (failure != null) {
            throw failure;
        }
        return List.copyOf(answer);
    };
    final EndpointSync.Source src = new EndpointSync.Source("vim", source, Duration.ofSeconds(30));
    final EndpointSync sync = new EndpointSync(List.of(src), catalog,
            d -> new ExposedEndpoint(d.spec(), RecordingBackend.serving()),
            e -> pools.add(e.name()), withConnections::contains);

    static EndpointDefinition found(String name, String setting) {
        return new EndpointDefinition(new EndpointSpec(name, SERVICE, Map.of("kind", "network")), "test", Map.of("network", setting));
    }

    {
        sync.attach(new EndpointSync.Publication() {
            @Override
            public void add(EndpointSpec spec) {
                published.add("+" + spec.name());
            }

            @Override
            public void remove(String name) {
                published.add("-" + name);
            }
        });
    }

    @Test
    void aFoundEndpointIsAddedWithItsPoolAndPublished() {
        answer.add(found("vim-net1", "net1"));

        EndpointSync.Report r = sync.sync(src);

        assertThat(r.added()).isEqualTo(1);
        assertThat(askedFor).containsExactly(SERVICE);
        assertThat(catalog.endpointsOf(SERVICE)).extracting(ExposedEndpoint::name).containsExactly("fixed", "vim-net1");
        assertThat(pools).containsExactly("vim-net1");
        assertThat(published).containsExactly("+vim-net1");
        assertThat(sync.sync(src).added()).isZero();
    }

    @Test
    void anEndpointNoLongerFoundIsWithdrawnAndRemovedOnlyOnceItsConnectionsAreGone() {
        answer.add(found("vim-net1", "net1"));
        sync.sync(src);
        withConnections.add("vim-net1");
        answer.clear();

        assertThat(sync.sync(src).withdrawn()).isEqualTo(1);
        assertThat(catalog.endpointsOf(SERVICE)).extracting(ExposedEndpoint::name).containsExactly("fixed");
        assertThat(catalog.endpoint("vim-net1")).isPresent();

        assertThat(sync.sync(src).removed()).isZero();
        withConnections.remove("vim-net1");
        assertThat(sync.sync(src).removed()).isEqualTo(1);

        assertThat(catalog.endpoint("vim-net1")).isEmpty();
        assertThat(published).containsExactly("+vim-net1", "-vim-net1");
    }

    @Test
    void aWithdrawnEndpointIsRemovedNoEarlierThanTheNextSync() {
        answer.add(found("vim-net1", "net1"));
        sync.sync(src);
        answer.clear();

        EndpointSync.Report r = sync.sync(src);

        assertThat(r.withdrawn()).isEqualTo(1);
        assertThat(r.removed()).isZero();
        assertThat(sync.sync(src).removed()).isEqualTo(1);
    }

    @Test
    void anEndpointFoundAgainBeforeItIsRemovedIsRestored() {
        answer.add(found("vim-net1", "net1"));
        sync.sync(src);
        withConnections.add("vim-net1");
        answer.clear();
        sync.sync(src);

        answer.add(found("vim-net1", "net1"));
        assertThat(sync.sync(src).restored()).isEqualTo(1);

        assertThat(catalog.endpointsOf(SERVICE)).extracting(ExposedEndpoint::name).contains("vim-net1");
        assertThat(published).containsExactly("+vim-net1");
    }

    @Test
    void anEndpointFoundWithOtherSettingsIsReplacedAfterDraining() {
        answer.add(found("vim-net1", "net1"));
        sync.sync(src);
        ExposedEndpoint first = catalog.endpoint("vim-net1").orElseThrow();
        answer.set(0, found("vim-net1", "net1-recreated"));

        assertThat(sync.sync(src).withdrawn()).isEqualTo(1);
        assertThat(sync.sync(src).removed()).isEqualTo(1);
        assertThat(sync.sync(src).added()).isEqualTo(1);

        assertThat(catalog.endpoint("vim-net1").orElseThrow()).isNotSameAs(first);
        assertThat(catalog.isWithdrawn("vim-net1")).isFalse();
    }

    @Test
    void aFailingSourceKeepsEveryEndpoint() {
        answer.add(found("vim-net1", "net1"));
        sync.sync(src);
        failure = new BackendException(BackendException.Kind.UNREACHABLE, "Neutron down");

        EndpointSync.Report r = sync.sync(src);

        assertThat(r.failed()).isTrue();
        assertThat(catalog.endpointsOf(SERVICE)).extracting(ExposedEndpoint::name).contains("vim-net1");
    }

    @Test
    void unknownServicesNameClashesAndBadSettingsAreSkipped() {
        answer.add(new EndpointDefinition(new EndpointSpec("vim-x", "no-such-service", Map.of()), "test", Map.of()));
        answer.add(found("fixed", "clash"));
        answer.add(found("vim-ok", "ok"));
        EndpointSync refusing = new EndpointSync(List.of(src), catalog, d -> {
            if (d.spec().name().equals("vim-ok")) {
                throw new IllegalArgumentException("network: bad");
            }
            return new ExposedEndpoint(d.spec(), RecordingBackend.serving());
        }, e -> {}, n -> false);

        EndpointSync.Report r = refusing.sync(src);

        assertThat(r.added()).isZero();
        assertThat(catalog.endpoints()).extracting(ExposedEndpoint::name).containsExactly("fixed");
    }
}
