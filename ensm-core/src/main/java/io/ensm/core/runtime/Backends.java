package io.ensm.core.runtime;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.observe.EnsmMeters;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.EndpointSource;
import io.ensm.core.spi.EndpointSourceProvider;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ForwarderProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds backend, forwarder and endpoint-source implementations by type name and makes them from settings. */
final class Backends {
    private Backends() {}

    /** The backend providers on the class path, by type; load once and share, so providers can share state. */
    static Map<String, BackendProvider> providers() {
        Map<String, BackendProvider> providers = new TreeMap<>();
        ServiceLoader.load(BackendProvider.class).forEach(p -> providers.put(p.type(), p));
        return providers;
    }

    static List<ExposedEndpoint> create(List<EndpointDefinition> definitions, EnsmMeters meters) {
        return create(providers(), definitions, meters);
    }

    static List<ExposedEndpoint> create(Map<String, BackendProvider> providers, List<EndpointDefinition> definitions,
                                        EnsmMeters meters) {
        List<ExposedEndpoint> made = new ArrayList<>();
        for (int i = 0; i < definitions.size(); i++) {
            EndpointDefinition d = definitions.get(i);
            try {
                made.add(createOne(providers, d, "endpoints[" + i + "] (" + d.spec().name() + ")", meters));
            } catch (IllegalArgumentException e) {
                made.forEach(x -> x.backend().close());
                throw e;
            }
        }
        return made;
    }

    /** One endpoint; IllegalArgumentException prefixed with {@code key} for an unknown type or a bad setting. */
    static ExposedEndpoint createOne(Map<String, BackendProvider> providers, EndpointDefinition d, String key, EnsmMeters meters) {
        BackendProvider p = providers.get(d.backendType());
        if (p == null) {
            throw new IllegalArgumentException(key + ": backend type '" + d.backendType() + "' is not available; known: "
                    + providers.keySet());
        }
        try {
            Backend b = p.create(d.spec(), d.backendSettings());
            return new ExposedEndpoint(d.spec(), meters.backend(d.spec().name(), d.backendType(), b));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "." + d.backendType() + "." + e.getMessage(), e);
        }
    }

    static EndpointSource source(SourceDefinition d, String key) {
        Map<String, EndpointSourceProvider> providers = new TreeMap<>();
        ServiceLoader.load(EndpointSourceProvider.class).forEach(p -> providers.put(p.type(), p));
        EndpointSourceProvider p = providers.get(d.type());
        if (p == null) {
            throw new IllegalArgumentException(key + ".type: endpoint source '" + d.type() + "' is not available; known: "
                    + providers.keySet());
        }
        try {
            return p.create(d.name(), d.settings());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".settings." + e.getMessage(), e);
        }
    }

    static Forwarder forwarder(String type, Map<String, String> settings) {
        if (type == null || type.isBlank()) {
            return null;
        }
        Map<String, ForwarderProvider> providers = new TreeMap<>();
        ServiceLoader.load(ForwarderProvider.class).forEach(p -> providers.put(p.type(), p));
        ForwarderProvider p = providers.get(type);
        if (p == null) {
            throw new IllegalArgumentException("forwarder.type: forwarder '" + type + "' is not available; known: " + providers.keySet());
        }
        try {
            return p.create(settings);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("forwarder." + e.getMessage(), e);
        }
    }
}
