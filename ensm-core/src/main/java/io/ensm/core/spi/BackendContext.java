package io.ensm.core.spi;

import io.ensm.core.model.EndpointSpec;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.Objects;

/**
 * What a {@link BackendProvider} gets to make the backend of one endpoint.
 *
 * @param endpoint the endpoint the backend serves
 * @param settings its settings, read through the one reader every module uses
 * @param owner    the name every marker the backend writes must carry
 * @param meters   where the backend keeps meters of its own (sessions, queues), tagged with the
 *                 endpoint's name; operation latency and errors the core measures for every backend
 */
public record BackendContext(EndpointSpec endpoint, SettingsReader settings, Owner owner, MeterRegistry meters) {
    public BackendContext {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(meters, "meters");
    }

    /** A context whose meters are kept in memory only (tools and tests). */
    public BackendContext(EndpointSpec endpoint, SettingsReader settings, Owner owner) {
        this(endpoint, settings, owner, new SimpleMeterRegistry());
    }
}
