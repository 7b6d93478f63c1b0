package io.ensm.core.runtime;

import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.select.EndpointChooser;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.registry.EndpointMatcher;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Chooses among ensm's endpoints with the registry's match rules (source and destination selectors). */
public final class LabelMatchChooser implements EndpointChooser {
    private final Clock clock;

    public LabelMatchChooser(Clock clock) {
        this.clock = clock;
    }

    @Override
    public List<ExposedEndpoint> candidates(ServiceSpec service, Map<String, String> labels, List<ExposedEndpoint> endpoints) {
        if (service.matches().isEmpty()) {
            return endpoints;
        }
        List<NetworkServiceEndpoint> nses = endpoints.stream().map(e -> RegistryModels.endpoint(e.spec(), "")).toList();
        Set<String> allowed = EndpointMatcher.match(RegistryModels.service(service), labels, nses, clock.instant())
                .stream().map(NetworkServiceEndpoint::getName).collect(Collectors.toSet());
        return endpoints.stream().filter(e -> allowed.contains(e.name())).toList();
    }
}
