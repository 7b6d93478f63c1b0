package io.ensm.core.store;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;

import java.time.Instant;

/**
 * One connection as persisted: enough to redo or undo its backend and forwarder work after a
 * crash, re-arm its expiry, and answer monitor subscribers.
 *
 * @param id         ensm's own path segment id (the connection id at this hop)
 * @param peer       the caller's VXLAN end, or null
 * @param attachment what the backend returned, or null while PENDING
 * @param connection the serialized {@code connection.Connection} as last replied
 */
public record StoredConnection(String id, String endpoint, String service, Phase phase, PlanKind plan,
                               Allocation allocation, VxlanPeer peer, int mtu, Attachment attachment,
                               Instant expires, byte[] connection) {

    public StoredConnection withPhase(Phase newPhase) {
        return new StoredConnection(id, endpoint, service, newPhase, plan, allocation, peer, mtu, attachment, expires, connection);
    }

    public StoredConnection applied(Attachment applied, byte[] reply) {
        return new StoredConnection(id, endpoint, service, Phase.APPLIED, plan, allocation, peer, mtu, applied, expires, reply);
    }

    public StoredConnection refreshed(Instant newExpires, byte[] reply) {
        return new StoredConnection(id, endpoint, service, phase, plan, allocation, peer, mtu, attachment, newExpires, reply);
    }
}
