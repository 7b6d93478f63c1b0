package io.ensm.netconf.testbed;

import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ForwarderContext;
import io.ensm.core.spi.ForwarderProvider;
import io.ensm.core.testing.RecordingForwarder;

/**
 * Forwarder type {@code recording}: core's recording forwarder, so a runtime test can tell which
 * links ensm's forwarder was asked for. The last one made is {@link #last()}.
 */
public final class RecordingForwarderProvider implements ForwarderProvider {
    public static final String TYPE = "recording";
    private static volatile RecordingForwarder last;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Forwarder create(ForwarderContext context) {
        context.settings().done();
        RecordingForwarder f = new RecordingForwarder();
        last = f;
        return f;
    }

    public static RecordingForwarder last() {
        return last;
    }
}
