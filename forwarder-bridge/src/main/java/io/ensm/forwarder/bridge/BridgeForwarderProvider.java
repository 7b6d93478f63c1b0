package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ForwarderProvider;

import java.util.Map;

/** The {@code bridge} forwarder type: settings as in {@link BridgeSettings}. */
public final class BridgeForwarderProvider implements ForwarderProvider {
    public static final String TYPE = "bridge";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Forwarder create(Map<String, String> settings) {
        return new BridgeForwarder(BridgeSettings.parse(settings, System.getenv()));
    }
}
