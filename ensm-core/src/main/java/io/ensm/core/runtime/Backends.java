package io.ensm.core.runtime;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.Segment;
import io.ensm.core.observe.EnsmMeters;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.EndpointSource;
import io.ensm.core.spi.EndpointSourceProvider;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ForwarderContext;
import io.ensm.core.spi.ForwarderProvider;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.SourceContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Finds backend, forwarder and endpoint-source implementations by type name and makes them from
 * their settings and ensm's owner name. Whatever a provider leaves unread is refused here too,
 * so a provider that forgets {@link SettingsReader#done()} cannot let a misspelt key pass.
 */
final class Backends {
    private Backends() {}

    /** The backend providers on the class path, by type; load once and share, so providers can share state. */
    static Map<String, BackendProvider> providers() {
        Map<String, BackendProvider> providers = new TreeMap<>();
        ServiceLoader.load(BackendProvider.class).forEach(p -> providers.put(p.type(), p));
        return providers;
    }

    /** @param segmentOf a service's segment, or null for a point-to-point service */
    static List<ExposedEndpoint> create(Map<String, BackendProvider> providers, List<EndpointDefinition> definitions, Owner owner,
                                        EnsmMeters meters, Function<String, Segment> segmentOf) {
        List<ExposedEndpoint> made = new ArrayList<>();
        for (int i = 0; i < definitions.size(); i++) {
            EndpointDefinition d = definitions.get(i);
            try {
                made.add(createOne(providers, d, "endpoints[" + i + "] (" + d.spec().name() + ")", owner, meters, segmentOf));
            } catch (IllegalArgumentException e) {
                made.forEach(x -> x.backend().close());
                throw e;
            }
        }
        return made;
    }

    /** One endpoint; IllegalArgumentException prefixed with {@code key} for an unknown type or a bad setting. */
    static ExposedEndpoint createOne(Map<String, BackendProvider> providers, EndpointDefinition d, String key, Owner owner,
                                     EnsmMeters meters, Function<String, Segment> segmentOf) {
        BackendProvider p = providers.get(d.backendType());
        if (p == null) {
            throw new IllegalArgumentException(key + ": backend type '" + d.backendType() + "' is not available; known: "
                    + providers.keySet());
        }
        SettingsReader settings = new SettingsReader("endpoint '" + d.spec().name() + "'", d.backendSettings());
        try {
            Backend b = p.create(new BackendContext(d.spec(), settings, owner, meters.registry(),
                    segmentOf.apply(d.spec().service())));
            try {
                settings.done();
            } catch (IllegalArgumentException e) {
                b.close();
                throw e;
            }
            return new ExposedEndpoint(d.spec(), meters.backend(d.spec().name(), d.backendType(), b));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "." + d.backendType() + "." + e.getMessage(), e);
        }
    }

    static EndpointSource source(SourceDefinition d, String key, Owner owner) {
        Map<String, EndpointSourceProvider> providers = new TreeMap<>();
        ServiceLoader.load(EndpointSourceProvider.class).forEach(p -> providers.put(p.type(), p));
        EndpointSourceProvider p = providers.get(d.type());
        if (p == null) {
            throw new IllegalArgumentException(key + ".type: endpoint source '" + d.type() + "' is not available; known: "
                    + providers.keySet());
        }
        SettingsReader settings = new SettingsReader("discovery source '" + d.name() + "'", d.settings());
        try {
            EndpointSource source = p.create(new SourceContext(d.name(), settings, owner));
            try {
                settings.done();
            } catch (IllegalArgumentException e) {
                source.close();
                throw e;
            }
            return source;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".settings." + e.getMessage(), e);
        }
    }

    static Forwarder forwarder(String type, Map<String, String> settings, Owner owner) {
        if (type == null || type.isBlank()) {
            return null;
        }
        Map<String, ForwarderProvider> providers = new TreeMap<>();
        ServiceLoader.load(ForwarderProvider.class).forEach(p -> providers.put(p.type(), p));
        ForwarderProvider p = providers.get(type);
        if (p == null) {
            throw new IllegalArgumentException("forwarder.type: forwarder '" + type + "' is not available; known: " + providers.keySet());
        }
        SettingsReader reader = new SettingsReader("the " + type + " forwarder", settings);
        try {
            Forwarder f = p.create(new ForwarderContext(reader, owner, System.getenv()));
            try {
                reader.done();
            } catch (IllegalArgumentException e) {
                f.close();
                throw e;
            }
            return f;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("forwarder." + e.getMessage(), e);
        }
    }
}
