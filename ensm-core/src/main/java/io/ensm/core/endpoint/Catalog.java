package io.ensm.core.endpoint;

import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.Forwarder;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The services and endpoints this ensm serves, and its forwarder if one is configured. */
public final class Catalog {
    private final Map<String, ServiceSpec> services = new LinkedHashMap<>();
    private final Map<String, ExposedEndpoint> endpoints = new LinkedHashMap<>();
    private final Forwarder forwarder;

    public Catalog(Collection<ServiceSpec> services, Collection<ExposedEndpoint> endpoints, Forwarder forwarder) {
        services.forEach(s -> {
            if (this.services.put(s.name(), s) != null) {
                throw new IllegalArgumentException("service '" + s.name() + "' is defined twice");
            }
        });
        endpoints.forEach(e -> {
            if (!this.services.containsKey(e.spec().service())) {
                throw new IllegalArgumentException("endpoint '" + e.name() + "' names unknown service '" + e.spec().service() + "'");
            }
            if (this.endpoints.put(e.name(), e) != null) {
                throw new IllegalArgumentException("endpoint '" + e.name() + "' is defined twice");
            }
        });
        this.forwarder = forwarder;
    }

    public Optional<ServiceSpec> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    public Optional<ExposedEndpoint> endpoint(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    public List<ExposedEndpoint> endpointsOf(String service) {
        return endpoints.values().stream().filter(e -> e.spec().service().equals(service)).toList();
    }

    public Collection<ServiceSpec> services() {
        return services.values();
    }

    public Collection<ExposedEndpoint> endpoints() {
        return endpoints.values();
    }

    public Optional<Forwarder> forwarder() {
        return Optional.ofNullable(forwarder);
    }
}
