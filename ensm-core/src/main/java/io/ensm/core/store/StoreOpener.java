package io.ensm.core.store;

import io.ensm.core.replica.Ownership;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;

/** Opens ensm's store once the runtime knows the replica it runs as. */
@FunctionalInterface
public interface StoreOpener {
    Persistence open(Ownership.Replica self, MeterRegistry meters, Clock clock);

    /** A store of this ensm's own, made from its data directory. */
    static StoreOpener sole(Path dataDir, Function<Path, ConnectionStore> factory) {
        return (self, meters, clock) -> Persistence.sole(factory.apply(dataDir), self);
    }
}
