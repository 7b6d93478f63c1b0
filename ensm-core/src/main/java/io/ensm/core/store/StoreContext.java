package io.ensm.core.store;

import io.ensm.core.replica.Ownership;
import io.ensm.core.spi.SettingsReader;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What a {@link StoreProvider} gets.
 *
 * @param dataDir  ensm's data directory ({@code ensm.data-dir})
 * @param settings the store's own settings ({@code ensm.store.*} without {@code type})
 * @param cluster  the cluster every replica of this ensm shares ({@code ensm.cluster}); keys of a
 *                 shared store live under it
 * @param self     this replica
 */
public record StoreContext(Path dataDir, SettingsReader settings, String cluster, Ownership.Replica self, MeterRegistry meters,
                           Clock clock) {
    public StoreContext {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(clock, "clock");
    }
}
