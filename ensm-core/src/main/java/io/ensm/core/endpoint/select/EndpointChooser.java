package io.ensm.core.endpoint.select;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.ServiceSpec;

import java.util.List;
import java.util.Map;

/** Which of a service's endpoints may serve a connection with the given labels. */
@FunctionalInterface
public interface EndpointChooser {
    List<ExposedEndpoint> candidates(ServiceSpec service, Map<String, String> labels, List<ExposedEndpoint> endpoints);
}
