package io.ensm.core.spi;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Segment;

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
 * @param segment  the shared segment of the endpoint's service, or null when its connections are
 *                 point to point; a backend may need to know at start (what the far side must allow differs)
 */
public record BackendContext(EndpointSpec endpoint, SettingsReader settings, Owner owner, MeterRegistry meters, Segment segment) {
    public BackendContext {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(meters, "meters");
    }

    /** A context for an endpoint of a point-to-point service. */
    public BackendContext(EndpointSpec endpoint, SettingsReader settings, Owner owner, MeterRegistry meters) {
        this(endpoint, settings, owner, meters, null);
    }

    /** The same context for an endpoint of a segment service. */
    public BackendContext withSegment(Segment s) {
        return new BackendContext(endpoint, settings, owner, meters, s);
    }

    /** A context whose meters are kept in memory only (tools and tests). */
    public BackendContext(EndpointSpec endpoint, SettingsReader settings, Owner owner) {
        this(endpoint, settings, owner, new SimpleMeterRegistry());
    }
}
