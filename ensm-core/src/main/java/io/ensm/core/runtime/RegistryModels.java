package io.ensm.core.runtime;

import io.ensm.api.registry.Destination;
import io.ensm.api.registry.Match;
import io.ensm.api.registry.Metadata;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceLabels;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.ServiceMatch;
import io.ensm.core.model.ServiceSpec;

/** ensm's services and endpoints as the NSM registry sees them. */
public final class RegistryModels {
    private RegistryModels() {}

    public static NetworkService service(ServiceSpec spec) {
        NetworkService.Builder b = NetworkService.newBuilder().setName(spec.name()).setPayload(spec.payload().name());
        for (ServiceMatch m : spec.matches()) {
            Match.Builder match = Match.newBuilder().putAllSourceSelector(m.sourceSelector()).setFallthrough(m.fallthrough());
            m.routes().forEach(r -> match.addRoutes(Destination.newBuilder().putAllDestinationSelector(r)));
            if (!m.metadata().isEmpty()) {
                match.setMetadata(Metadata.newBuilder().putAllLabels(m.metadata()));
            }
            b.addMatches(match);
        }
        return b.build();
    }

    public static NetworkServiceEndpoint endpoint(EndpointSpec spec, String url) {
        return NetworkServiceEndpoint.newBuilder()
                .setName(spec.name())
                .addNetworkServiceNames(spec.service())
                .putNetworkServiceLabels(spec.service(), NetworkServiceLabels.newBuilder().putAllLabels(spec.labels()).build())
                .setUrl(url)
                .build();
    }
}
