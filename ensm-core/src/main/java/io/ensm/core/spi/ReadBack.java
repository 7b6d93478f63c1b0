package io.ensm.core.spi;

import java.util.Optional;
import java.util.Set;

/**
 * What a backend holds, read once for a reconciliation pass, which then asks it about each of the
 * backend's connections instead of reading each one back on its own. Its answers are as old as
 * the read: the pass reads a connection again on its own before acting on anything but PRESENT.
 */
@FunctionalInterface
public interface ReadBack {

    /** What the read found for the intent's objects. */
    Verification verify(ProvisionIntent intent) throws BackendException;

    /**
     * The connection ids of the marked objects the read found that {@link Backend#removeOrphans}
     * would remove if their connection were unknown; the pass skips the sweep's own read when all
     * of them are known. Empty when this read cannot tell: the sweep then always reads.
     */
    default Optional<Set<String>> markers() {
        return Optional.empty();
    }
}
