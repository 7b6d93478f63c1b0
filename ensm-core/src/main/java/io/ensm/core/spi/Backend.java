package io.ensm.core.spi;

import java.util.Set;
import java.util.function.Predicate;

/**
 * Provisions the far side of connections for one endpoint: a VLAN on a box's port, a Neutron
 * subport, a TF interface. Backends know nothing about NSM. Every method may block (the caller
 * runs on a virtual thread) and must be idempotent: provisioning twice, or releasing what is
 * absent, is not an error.
 */
public interface Backend extends AutoCloseable {

    BackendCapabilities capabilities();

    /** Creates (or, when present and equal, keeps) the objects for the intent and returns the attachment. */
    Attachment provision(ProvisionIntent intent) throws BackendException;

    /** Removes what {@link #provision} created for the intent; absent objects are fine. */
    void release(ProvisionIntent intent) throws BackendException;

    /** Reads back what exists for the intent; for a segment connection, the segment's shared objects too. */
    Verification verify(ProvisionIntent intent) throws BackendException;

    /**
     * Whether the backend serves shared segments ({@link ProvisionIntent#segment()}); start-up
     * refuses a segment service on an endpoint whose backend does not.
     */
    default boolean servesSegments() {
        return false;
    }

    /**
     * Whether a segment on this backend must name its VLAN ({@code ensm.services[i].segment.vlan}):
     * true for a box ensm does not write to, which carries the segment on a VLAN chosen before
     * ensm starts; start-up refuses a segment taking its VLAN from the pool on such an endpoint.
     */
    default boolean segmentsNeedFixedVlan() {
        return false;
    }

    /**
     * Creates (or, when present and equal, keeps) what the connections of a segment share on the
     * far side, e.g. a box's sub-interface for the segment's VLAN with the gateway addresses,
     * marked with {@link ProvisionIntent#segmentMarker()}. Called with the segment's first
     * connection and by repairs, never for the joins in between; {@code intent} is the joining
     * connection's. {@link #provision} then does the connection's own part (nothing, for a box).
     */
    default void joinSegment(ProvisionIntent intent) throws BackendException {
        throw new BackendException(BackendException.Kind.REJECTED, "endpoint " + intent.endpoint().name()
                + ": this backend does not serve shared segments");
    }

    /** Removes what {@link #joinSegment} made; called after the segment's last connection left. */
    default void leaveSegment(ProvisionIntent intent) throws BackendException {}

    /**
     * Reads back everything a reconciliation pass will ask about, in one read where the backend
     * can (a box's whole port in one get-config). The default reads nothing up front: each
     * question is one {@link #verify}, as before.
     */
    default ReadBack readBack() throws BackendException {
        return this::verify;
    }

    /**
     * Removes objects carrying ensm's marker with this backend's owner whose connection id
     * {@code isKnown} rejects: what a crash or an operator's restore left behind. Objects without
     * the marker, with another owner's, or with a marker that names no owner (written before
     * markers named one) are never touched.
     * A backend that writes nothing (pre-provisioned boxes) has nothing to sweep.
     *
     * @return the connection ids whose objects were removed
     */
    default Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        return Set.of();
    }

    /**
     * Hands the backend the fence of this replica's holds on its endpoint, once, before it serves;
     * only replicas on a shared store call it. A backend that keeps a token on the far side checks
     * it in every write and refuses with {@link BackendException.Kind#FENCED} when the far side
     * holds a newer one. The default ignores it.
     */
    default void fenceWith(EndpointFence fence) {}

    /**
     * This replica has just taken the endpoint over under {@code token}: a backend that keeps a
     * token on the far side writes it there now, so that the previous holder's late writes are
     * refused from this moment, not from this replica's first write. The default does nothing.
     */
    default void takeOver(long token) throws BackendException {}

    @Override
    default void close() {}
}
