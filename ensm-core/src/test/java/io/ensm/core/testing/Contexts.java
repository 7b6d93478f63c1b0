package io.ensm.core.testing;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.ForwarderContext;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.SourceContext;

import java.util.Map;

/** Provider contexts for tests, as the runtime makes them. */
public final class Contexts {
    /** The owner tests use unless they are about owners. */
    public static final Owner OWNER = new Owner("ensm-test");

    private Contexts() {}

    public static BackendContext backend(EndpointSpec endpoint, Map<String, String> settings) {
        return backend(endpoint, settings, OWNER);
    }

    public static BackendContext backend(EndpointSpec endpoint, Map<String, String> settings, Owner owner) {
        return new BackendContext(endpoint, new SettingsReader("endpoint '" + endpoint.name() + "'", settings), owner);
    }

    public static ForwarderContext forwarder(String type, Map<String, String> settings, Owner owner, Map<String, String> environment) {
        return new ForwarderContext(new SettingsReader("the " + type + " forwarder", settings), owner, environment);
    }

    public static SourceContext source(String name, Map<String, String> settings) {
        return new SourceContext(name, new SettingsReader("discovery source '" + name + "'", settings), OWNER);
    }
}
