package io.ensm.core.endpoint.provision;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.negotiate.VxlanParameters;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.ReadBack;
import io.ensm.core.spi.StepProbe;
import io.ensm.core.spi.StepProbe.Step;
import io.ensm.core.spi.Verification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The two I/O steps of a connection, in order: the backend provisions the far side, then (for a
 * VXLAN hairpin) the forwarder cross-connects the cluster leg to it. Undo runs them in reverse.
 * Used by the chain and by start-up recovery alike.
 */
public final class Provisioner {
    private static final Logger log = LoggerFactory.getLogger(Provisioner.class);

    private final Forwarder forwarder;
    private final Segments segments;
    /** Segments whose shared objects this process made or found: later joins touch nothing. */
    private final java.util.Set<String> joined = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ConcurrentHashMap<String, Object> segmentLocks = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param forwarder ensm's kernel leg, or null when none is configured */
    public Provisioner(Forwarder forwarder) {
        this(forwarder, Segments.NONE);
    }

    /** @param segments the services' segments and their members; connections of other services are point to point */
    public Provisioner(Forwarder forwarder, Segments segments) {
        this.forwarder = forwarder;
        this.segments = segments;
    }

    /** The intent with its service's segment, as backends see it. */
    public ProvisionIntent withSegment(ProvisionIntent intent) {
        if (intent.segment() != null) {
            return intent;
        }
        var s = segments.of(intent.endpoint().service());
        return s == null ? intent : intent.withSegment(s);
    }

    private static String segmentKey(ExposedEndpoint endpoint, ProvisionIntent intent) {
        return endpoint.name() + "|" + intent.endpoint().service() + "|" + intent.allocation().vlanId();
    }

    /** Makes the segment's shared objects with its first connection (or always, for a repair). */
    private void join(ExposedEndpoint endpoint, ProvisionIntent intent, boolean always) throws BackendException {
        String key = segmentKey(endpoint, intent);
        if (!always && joined.contains(key)) {
            return;
        }
        synchronized (segmentLocks.computeIfAbsent(key, k -> new Object())) {
            if (!always && !joined.contains(key) && segments.appliedOn(endpoint.name(), intent.endpoint().service(),
                    intent.allocation().vlanId(), intent.connectionId())) {
                // Joined before this process held the endpoint (a restart, or another replica's hold).
                joined.add(key);
                return;
            }
            if (always || !joined.contains(key)) {
                endpoint.backend().joinSegment(intent);
                joined.add(key);
                log.info("event=segment-joined endpoint={} service={} vlan={} connection={}", endpoint.name(),
                        intent.endpoint().service(), intent.allocation().vlanId(), intent.connectionId());
            }
        }
    }

    /** Removes the segment's shared objects once no other connection is on it. */
    private void leave(ExposedEndpoint endpoint, ProvisionIntent intent) throws BackendException {
        String key = segmentKey(endpoint, intent);
        synchronized (segmentLocks.computeIfAbsent(key, k -> new Object())) {
            if (segments.othersOn(endpoint.name(), intent.endpoint().service(), intent.allocation().vlanId(), intent.connectionId())) {
                return;
            }
            endpoint.backend().leaveSegment(intent);
            joined.remove(key);
            log.info("event=segment-left endpoint={} service={} vlan={} connection={}", endpoint.name(),
                    intent.endpoint().service(), intent.allocation().vlanId(), intent.connectionId());
        }
    }

    public Attachment apply(ExposedEndpoint endpoint, ProvisionIntent intent) throws StepFailure {
        return apply(endpoint, intent, StepProbe.NONE);
    }

    /** As {@link #apply(ExposedEndpoint, ProvisionIntent)}, telling {@code probe} after each step. */
    public Attachment apply(ExposedEndpoint endpoint, ProvisionIntent intent, StepProbe probe) throws StepFailure {
        return apply(endpoint, withSegment(intent), probe, false);
    }

    /**
     * As {@link #apply(ExposedEndpoint, ProvisionIntent)} for a connection found missing or
     * drifted: a segment's shared objects are written again too, whoever else is on it.
     */
    public Attachment repair(ExposedEndpoint endpoint, ProvisionIntent intent) throws StepFailure {
        return apply(endpoint, withSegment(intent), StepProbe.NONE, true);
    }

    private Attachment apply(ExposedEndpoint endpoint, ProvisionIntent intent, StepProbe probe, boolean repair) throws StepFailure {
        if (intent.segment() != null) {
            try {
                join(endpoint, intent, repair);
            } catch (BackendException e) {
                throw new StepFailure("segment join", e);
            }
        }
        Attachment attachment;
        try {
            attachment = endpoint.backend().provision(intent);
        } catch (BackendException e) {
            throw new StepFailure("backend provision", e);
        }
        probe.reached(Step.REQUEST_BACKEND_PROVISIONED, intent.connectionId());
        if (usesForwarder(intent)) {
            try {
                forwarder.connect(crossConnect(intent, attachment));
            } catch (BackendException e) {
                releaseQuietly(endpoint, intent);
                throw new StepFailure("forwarder cross-connect", e);
            }
        }
        probe.reached(Step.REQUEST_CROSS_CONNECTED, intent.connectionId());
        return attachment;
    }

    /**
     * Removes what {@link #apply} made; {@code attachment} may be null when apply never finished,
     * and then only the backend is asked (the forwarder cannot name a cross-connect without it).
     */
    public void undo(ExposedEndpoint endpoint, ProvisionIntent intent, Attachment attachment) throws StepFailure {
        undo(endpoint, intent, attachment, StepProbe.NONE);
    }

    /** As {@link #undo(ExposedEndpoint, ProvisionIntent, Attachment)}, telling {@code probe} after each step. */
    public void undo(ExposedEndpoint endpoint, ProvisionIntent given, Attachment attachment, StepProbe probe) throws StepFailure {
        ProvisionIntent intent = withSegment(given);
        if (usesForwarder(intent) && attachment == null) {
            // A PENDING record (apply never finished) has no attachment to describe the cross-connect
            // by; links it may have made carry the connection's mark, and the orphan sweep that
            // follows every reconciliation pass removes them once the record is gone.
            log.info("event=disconnect-skipped endpoint={} connection={} reason=\"no attachment stored; marked links go with the orphan sweep\"",
                    endpoint.name(), intent.connectionId());
        } else if (usesForwarder(intent)) {
            try {
                forwarder.disconnect(crossConnect(intent, attachment));
            } catch (BackendException e) {
                throw new StepFailure("forwarder disconnect", e);
            }
        }
        probe.reached(Step.CLOSE_DISCONNECTED, intent.connectionId());
        try {
            endpoint.backend().release(intent);
        } catch (BackendException e) {
            throw new StepFailure("backend release", e);
        }
        probe.reached(Step.CLOSE_BEFORE_SEGMENT_LEAVE, intent.connectionId());
        if (intent.segment() != null) {
            try {
                leave(endpoint, intent);
            } catch (BackendException e) {
                throw new StepFailure("segment leave", e);
            }
        }
        probe.reached(Step.CLOSE_BACKEND_RELEASED, intent.connectionId());
    }

    /**
     * The worse of what the backend's read ({@code backendRead}, one read for a whole pass or one
     * per call) and the forwarder find. Without an attachment (apply never finished) the
     * cross-connect cannot be compared, so only the backend's answer counts.
     */
    public Verification verify(ReadBack backendRead, ProvisionIntent given, Attachment attachment) throws StepFailure {
        ProvisionIntent intent = withSegment(given);
        Verification backend;
        try {
            backend = backendRead.verify(intent);
        } catch (BackendException e) {
            throw new StepFailure("backend read-back", e);
        }
        if (!usesForwarder(intent) || backend != Verification.PRESENT || attachment == null) {
            return backend;
        }
        try {
            return forwarder.verify(crossConnect(intent, attachment));
        } catch (BackendException e) {
            throw new StepFailure("forwarder read-back", e);
        }
    }

    /**
     * The reply a connection is stored with, its VXLAN end made this forwarder's. A replica that
     * repairs a connection another replica made (it took the endpoint over) has made the legs on
     * its own host, so what it stores, and its monitors show, must name its own end until the
     * caller's refresh brings a reply of its own. Returns {@code reply} itself when nothing differs
     * or it names no end.
     */
    public byte[] endedHere(ProvisionIntent intent, byte[] reply) {
        if (!usesForwarder(intent)) {
            return reply;
        }
        Connection stored;
        try {
            stored = Connection.parseFrom(reply);
        } catch (InvalidProtocolBufferException e) {
            return reply;
        }
        Map<String, String> parameters = stored.getMechanism().getParametersMap();
        Forwarder.ForwarderInfo here = forwarder.info();
        String port = Integer.toString(here.vxlanPort());
        if (!parameters.containsKey(VxlanParameters.DST_IP)
                || here.localIp().equals(parameters.get(VxlanParameters.DST_IP)) && port.equals(parameters.get(VxlanParameters.DST_PORT))) {
            return reply;
        }
        Mechanism.Builder m = stored.getMechanism().toBuilder()
                .putParameters(VxlanParameters.DST_IP, here.localIp())
                .putParameters(VxlanParameters.DST_PORT, port);
        return stored.toBuilder().setMechanism(m).build().toByteArray();
    }

    private boolean usesForwarder(ProvisionIntent intent) {
        return intent.plan() == PlanKind.FORWARDER_VXLAN && forwarder != null;
    }

    private static CrossConnect crossConnect(ProvisionIntent intent, Attachment attachment) {
        return new CrossConnect(intent.connectionId(), intent.allocation().vni(), intent.peer().ip(), intent.peer().port(),
                attachment, intent.mtu(), intent.segment() == null ? null : intent.segmentMarker());
    }

    private static void releaseQuietly(ExposedEndpoint endpoint, ProvisionIntent intent) {
        try {
            endpoint.backend().release(intent);
        } catch (BackendException e) {
            log.warn("event=undo-failed step=\"backend release\" endpoint={} connection={} reason=\"{}\"",
                    endpoint.name(), intent.connectionId(), e.getMessage());
        }
    }
}
