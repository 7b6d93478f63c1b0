package io.ensm.core.spi;

import io.ensm.core.runtime.EndpointDefinition;

import java.util.List;
import java.util.Set;

/**
 * Endpoints that appear and disappear at run time: a VIM's networks or VMs tagged for one of
 * ensm's services. ensm asks periodically and exposes what is answered; an endpoint no longer
 * answered is withdrawn (no new connections) and removed once its connections are gone.
 */
public interface EndpointSource extends AutoCloseable {

    /**
     * Every endpoint that should be exposed now, for any of {@code services}, each with the
     * backend type and settings that make its backend. A failure (VIM unreachable) keeps what was
     * exposed before: an outage must not withdraw endpoints.
     */
    List<EndpointDefinition> discover(Set<String> services) throws BackendException;

    @Override
    default void close() {}
}
