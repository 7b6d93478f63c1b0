package io.ensm.core.endpoint;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.Backend;

/** An endpoint ensm answers for, with the backend that provisions its connections. */
public record ExposedEndpoint(EndpointSpec spec, Backend backend) {
    public String name() {
        return spec.name();
    }
}
