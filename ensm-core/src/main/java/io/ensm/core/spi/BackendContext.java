package io.ensm.core.spi;

import io.ensm.core.model.EndpointSpec;

import java.util.Objects;

/**
 * What a {@link BackendProvider} gets to make the backend of one endpoint.
 *
 * @param endpoint the endpoint the backend serves
 * @param settings its settings, read through the one reader every module uses
 * @param owner    the name every marker the backend writes must carry
 */
public record BackendContext(EndpointSpec endpoint, SettingsReader settings, Owner owner) {
    public BackendContext {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(owner, "owner");
    }
}
