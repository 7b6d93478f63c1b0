package io.ensm.core.spi;

import java.util.Set;
import java.util.function.Predicate;

/**
 * ensm's local kernel leg. Idempotent like {@link Backend}: connecting what exists and equal is a
 * no-op, disconnecting what is absent is fine.
 */
public interface Forwarder extends AutoCloseable {

    /** The address and UDP port the caller's forwarder sends VXLAN to, and the MTU left for the payload. */
    ForwarderInfo info();

    /**
     * Whether the forwarder serves shared segments ({@link CrossConnect#segment()}): all the
     * segment's tunnels bridged to one attachment. Start-up refuses a segment service whose
     * endpoint offers the forwarder-VXLAN plan when the forwarder does not.
     */
    default boolean servesSegments() {
        return false;
    }

    void connect(CrossConnect crossConnect) throws BackendException;

    void disconnect(CrossConnect crossConnect) throws BackendException;

    Verification verify(CrossConnect crossConnect) throws BackendException;

    /**
     * Removes links marked as this forwarder's owner's whose connection id {@code isKnown}
     * rejects; links without the mark, with another owner's, or with a mark that names no owner
     * are never touched.
     *
     * @return the connection ids whose links were removed
     */
    default Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        return Set.of();
    }

    @Override
    default void close() {}

    /** Where the cluster leg terminates on the ensm host. */
    record ForwarderInfo(String localIp, int vxlanPort, int mtu) {}
}
