package io.ensm.core.runtime;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ForwarderProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds backend and forwarder implementations by type name and makes them from settings. */
final class Backends {
    private Backends() {}

    static List<ExposedEndpoint> create(List<EndpointDefinition> definitions) {
        Map<String, BackendProvider> providers = new TreeMap<>();
        ServiceLoader.load(BackendProvider.class).forEach(p -> providers.put(p.type(), p));
        List<ExposedEndpoint> made = new ArrayList<>();
        for (int i = 0; i < definitions.size(); i++) {
            EndpointDefinition d = definitions.get(i);
            String key = "endpoints[" + i + "] (" + d.spec().name() + ")";
            BackendProvider p = providers.get(d.backendType());
            if (p == null) {
                made.forEach(e -> e.backend().close());
                throw new IllegalArgumentException(key + ": backend type '" + d.backendType() + "' is not available; known: "
                        + providers.keySet());
            }
            try {
                Backend b = p.create(d.spec(), d.backendSettings());
                made.add(new ExposedEndpoint(d.spec(), b));
            } catch (IllegalArgumentException e) {
                made.forEach(x -> x.backend().close());
                throw new IllegalArgumentException(key + "." + d.backendType() + "." + e.getMessage(), e);
            }
        }
        return made;
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
