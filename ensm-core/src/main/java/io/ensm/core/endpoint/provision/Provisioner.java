package io.ensm.core.endpoint.provision;

import io.ensm.core.endpoint.ExposedEndpoint;
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

/**
 * The two I/O steps of a connection, in order: the backend provisions the far side, then (for a
 * VXLAN hairpin) the forwarder cross-connects the cluster leg to it. Undo runs them in reverse.
 * Used by the chain and by start-up recovery alike.
 */
public final class Provisioner {
    private static final Logger log = LoggerFactory.getLogger(Provisioner.class);

    private final Forwarder forwarder;

    /** @param forwarder ensm's kernel leg, or null when none is configured */
    public Provisioner(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    public Attachment apply(ExposedEndpoint endpoint, ProvisionIntent intent) throws StepFailure {
        return apply(endpoint, intent, StepProbe.NONE);
    }

    /** As {@link #apply(ExposedEndpoint, ProvisionIntent)}, telling {@code probe} after each step. */
    public Attachment apply(ExposedEndpoint endpoint, ProvisionIntent intent, StepProbe probe) throws StepFailure {
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
    public void undo(ExposedEndpoint endpoint, ProvisionIntent intent, Attachment attachment, StepProbe probe) throws StepFailure {
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
        probe.reached(Step.CLOSE_BACKEND_RELEASED, intent.connectionId());
    }

    /**
     * The worse of what the backend's read ({@code backendRead}, one read for a whole pass or one
     * per call) and the forwarder find. Without an attachment (apply never finished) the
     * cross-connect cannot be compared, so only the backend's answer counts.
     */
    public Verification verify(ReadBack backendRead, ProvisionIntent intent, Attachment attachment) throws StepFailure {
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

    private boolean usesForwarder(ProvisionIntent intent) {
        return intent.plan() == PlanKind.FORWARDER_VXLAN && forwarder != null;
    }

    private static CrossConnect crossConnect(ProvisionIntent intent, Attachment attachment) {
        return new CrossConnect(intent.connectionId(), intent.allocation().vni(), intent.peer().ip(), intent.peer().port(),
                attachment, intent.mtu());
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
