package io.ensm.core.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ForwarderProvider} gets to make ensm's local forwarder.
 *
 * @param settings    its settings
 * @param owner       the name every link mark the forwarder writes must carry
 * @param environment the process environment, for overrides a forwarder documents
 */
public record ForwarderContext(SettingsReader settings, Owner owner, Map<String, String> environment) {
    public ForwarderContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(owner, "owner");
        environment = Map.copyOf(environment);
    }
}
