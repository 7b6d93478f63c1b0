package io.ensm.app.e2e;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.VlanRange;

import java.nio.file.Path;
import java.util.Map;

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
    public Backend create(EndpointSpec endpoint, Map<String, String> settings) {
        String file = settings.get("file");
        if (file == null || file.isBlank()) {
            throw new IllegalArgumentException("file: missing (the journal file)");
        }
        VlanRange vlans;
        try {
            vlans = VlanRange.parse(settings.getOrDefault("vlans", "100-199"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vlans: " + e.getMessage());
        }
        Path journal = Path.of(file);
        Path calls = Path.of(settings.getOrDefault("calls", file + ".calls"));
        return new JournalBackend(endpoint.name(), journal, calls, vlans);
    }
}
