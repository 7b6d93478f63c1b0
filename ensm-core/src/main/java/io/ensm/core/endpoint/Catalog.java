package io.ensm.core.endpoint;

import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.Forwarder;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The services and endpoints this ensm serves, and its forwarder if one is configured. Endpoints
 * found at run time (discovery) are added, withdrawn and removed while requests run: readers see
 * immutable snapshots, changes are serialized.
 *
 * <p>A withdrawn endpoint is no longer offered to new connections, but its existing connections
 * keep finding it (refresh, Close, reconciliation) until it is removed.
 */
public final class Catalog {
    private final Map<String, ServiceSpec> services = new LinkedHashMap<>();
    private volatile Map<String, ExposedEndpoint> endpoints = Map.of();
    private volatile Set<String> withdrawn = Set.of();
    private final Forwarder forwarder;

    public Catalog(Collection<ServiceSpec> services, Collection<ExposedEndpoint> endpoints, Forwarder forwarder) {
        services.forEach(s -> {
            if (this.services.put(s.name(), s) != null) {
                throw new IllegalArgumentException("service '" + s.name() + "' is defined twice");
            }
        });
        endpoints.forEach(this::add);
        this.forwarder = forwarder;
    }

    public Optional<ServiceSpec> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /** The endpoint by name, withdrawn or not. */
    public Optional<ExposedEndpoint> endpoint(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    /** The endpoints that take new connections for the service. */
    public List<ExposedEndpoint> endpointsOf(String service) {
        Set<String> out = withdrawn;
        return endpoints.values().stream().filter(e -> e.spec().service().equals(service) && !out.contains(e.name())).toList();
    }

    public Collection<ServiceSpec> services() {
        return services.values();
    }

    /** Every endpoint, withdrawn ones included. */
    public Collection<ExposedEndpoint> endpoints() {
        return endpoints.values();
    }

    public Optional<Forwarder> forwarder() {
        return Optional.ofNullable(forwarder);
    }

    /** Adds an endpoint; IllegalArgumentException when its service is unknown or its name taken. */
    public synchronized void add(ExposedEndpoint e) {
        if (!services.containsKey(e.spec().service())) {
            throw new IllegalArgumentException("endpoint '" + e.name() + "' names unknown service '" + e.spec().service() + "'");
        }
        if (endpoints.containsKey(e.name())) {
            throw new IllegalArgumentException("endpoint '" + e.name() + "' is defined twice");
        }
        Map<String, ExposedEndpoint> next = new LinkedHashMap<>(endpoints);
        next.put(e.name(), e);
        endpoints = java.util.Collections.unmodifiableMap(next);
    }

    /** Stops offering the endpoint to new connections; its connections keep it. */
    public synchronized void withdraw(String name) {
        if (endpoints.containsKey(name) && !withdrawn.contains(name)) {
            Set<String> next = new TreeSet<>(withdrawn);
            next.add(name);
            withdrawn = Set.copyOf(next);
        }
    }

    /** Offers a withdrawn endpoint to new connections again. */
    public synchronized void restore(String name) {
        if (withdrawn.contains(name)) {
            Set<String> next = new TreeSet<>(withdrawn);
            next.remove(name);
            withdrawn = Set.copyOf(next);
        }
    }

    public boolean isWithdrawn(String name) {
        return withdrawn.contains(name);
    }

    /** Removes the endpoint altogether; returns it, if it was there. */
    public synchronized Optional<ExposedEndpoint> remove(String name) {
        ExposedEndpoint e = endpoints.get(name);
        if (e == null) {
            return Optional.empty();
        }
        Map<String, ExposedEndpoint> next = new LinkedHashMap<>(endpoints);
        next.remove(name);
        endpoints = java.util.Collections.unmodifiableMap(next);
        restore(name);
        return Optional.of(e);
    }
}
