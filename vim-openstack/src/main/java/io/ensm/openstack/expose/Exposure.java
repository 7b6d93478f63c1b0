package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;

import java.util.Set;
import java.util.function.Predicate;

/**
 * The Neutron side of one endpoint's connections. Every method is idempotent, like the Backend
 * SPI it serves: provisioning what exists converges it, releasing what is gone is fine.
 */
public sealed interface Exposure permits NetworkExposure, TrunkExposure {

    /** Creates or repairs the connection's port (and subport). */
    void provision(ProvisionIntent intent) throws BackendException;

    /** Removes the connection's port (and subport); absent is fine. */
    void release(ProvisionIntent intent) throws BackendException;

    Verification verify(ProvisionIntent intent) throws BackendException;

    /** Whether this endpoint's connections may share a segment (see {@link io.ensm.core.spi.Backend#servesSegments}). */
    boolean servesSegments();

    /** Checks (or makes) what a segment's connections share; called with its first connection and by repairs. */
    void joinSegment(ProvisionIntent intent) throws BackendException;

    /** Addresses new connections must not get (see {@link io.ensm.core.spi.BackendCapabilities#reservedAddresses}). */
    java.util.List<String> reserved();

    /** Removes the marked ports of this endpoint whose connection {@code isKnown} rejects. */
    Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException;
}
