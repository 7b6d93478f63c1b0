package io.ensm.app.e2e;

import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.VlanRange;

import java.nio.file.Path;

/**
 * Test backend type {@code journal}. Settings: {@code file} (required, the journal), {@code calls}
 * (the call log, default FILE.calls), {@code vlans} (default 100-199).
 */
public final class JournalBackendProvider implements BackendProvider {
    public static final String TYPE = "journal";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        SettingsReader s = context.settings();
        String file = s.required("file", "the journal file");
        VlanRange vlans = s.optionalVlans("vlans").orElse(new VlanRange(100, 199));
        Path calls = Path.of(s.string("calls", file + ".calls"));
        s.done();
        return new JournalBackend(context.endpoint().name(), Path.of(file), calls, vlans);
    }
}
