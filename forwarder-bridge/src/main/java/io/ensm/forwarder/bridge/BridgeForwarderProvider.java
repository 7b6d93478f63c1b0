package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ForwarderContext;
import io.ensm.core.spi.ForwarderProvider;

/** The {@code bridge} forwarder type: settings as in {@link BridgeSettings}; links marked with the context's owner. */
public final class BridgeForwarderProvider implements ForwarderProvider {
    public static final String TYPE = "bridge";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Forwarder create(ForwarderContext context) {
        return new BridgeForwarder(BridgeSettings.parse(context.settings(), context.environment()), context.owner());
    }
}
