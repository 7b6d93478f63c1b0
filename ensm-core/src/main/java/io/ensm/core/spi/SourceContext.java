package io.ensm.core.spi;

import java.util.Objects;

/**
 * What an {@link EndpointSourceProvider} gets to make one endpoint source.
 *
 * @param name     the source's name, which prefixes the names of the endpoints it finds
 * @param settings its settings
 * @param owner    the owner of what the found endpoints' backends write
 */
public record SourceContext(String name, SettingsReader settings, Owner owner) {
    public SourceContext {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(owner, "owner");
    }
}
