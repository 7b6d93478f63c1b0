package io.ensm.core.endpoint.provision;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.State;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.alloc.ClaimsRefused;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.allocate.Allocate;
import io.ensm.core.endpoint.expiry.Expiry;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.StepProbe;
import io.ensm.core.spi.StepProbe.Step;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Objects;

/**
 * The last element: persists the intent (PENDING) before any device is touched, runs the backend
 * and forwarder, persists APPLIED, and undoes everything in reverse on failure. A refresh whose
 * intent did not change only stores the new expiry: no device I/O. Close marks the connection
 * RELEASING, undoes the I/O and forgets it; if the undo fails the record stays RELEASING for the
 * reconciler to finish.
 */
public final class Provision implements Element {
    private static final Logger log = LoggerFactory.getLogger(Provision.class);

    private final ConnectionTable table;
    private final Provisioner provisioner;
    private final StepProbe probe;
    private final ReleaseTrouble releases = new ReleaseTrouble();

    public Provision(ConnectionTable table, Provisioner provisioner) {
        this(table, provisioner, StepProbe.NONE);
    }

    /** @param probe told after each named step of a Request and a Close (tests stop the service there) */
    public Provision(ConnectionTable table, Provisioner provisioner, StepProbe probe) {
        this.table = table;
        this.provisioner = provisioner;
        this.probe = probe;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        CallContext ctx = chain.context();
        Connection reply = chain.proceed(request).toBuilder().setState(State.UP).build();
        ExposedEndpoint endpoint = ctx.get(SelectEndpoint.ENDPOINT);
        PlanKind plan = ctx.get(Negotiate.PLAN);
        Allocation allocation = ctx.get(Allocate.ALLOCATION);
        VxlanPeer peer = ctx.find(Negotiate.PEER).orElse(null);
        int mtu = ctx.get(Allocate.MTU);
        Instant expires = ctx.get(Expiry.EXPIRES);
        StoredConnection known = ctx.find(LoadKnown.KNOWN).orElse(null);
        String where = "endpoint '" + endpoint.name() + "'";

        if (known != null && known.phase() == Phase.APPLIED && known.plan() == plan
                && known.allocation().equals(allocation) && Objects.equals(known.peer(), peer) && known.mtu() == mtu) {
            storeOrFail(() -> table.refresh(known.refreshed(expires, reply.toByteArray())), where, "refresh");
            return reply;
        }
        if (known != null) {
            // The intent changed (another tunnel end, another plan): take the old one down first.
            undoOrFail(endpoint, known, where, StepProbe.NONE);
        }
        ProvisionIntent intent = new ProvisionIntent(reply.getId(), endpoint.spec(), plan, allocation, peer, mtu);
        StoredConnection pending = new StoredConnection(reply.getId(), endpoint.name(), endpoint.spec().service(),
                Phase.PENDING, plan, allocation, peer, mtu, null, expires, reply.toByteArray());
        storeOrFail(() -> table.put(pending), where, "store intent");
        probe.reached(Step.REQUEST_INTENT_STORED, reply.getId());
        Attachment attachment;
        try {
            attachment = provisioner.apply(endpoint, intent, probe);
        } catch (StepFailure e) {
            forgetQuietly(reply.getId());
            log.warn("event=provision-failed endpoint={} connection={} step=\"{}\" reason=\"{}\"",
                    endpoint.name(), reply.getId(), e.step(), e.getCause().getMessage());
            throw e.toStatus(where);
        }
        try {
            table.put(pending.applied(attachment, reply.toByteArray()));
        } catch (StoreException e) {
            undoQuietly(endpoint, intent, attachment);
            forgetQuietly(reply.getId());
            throw Failures.unavailable(where + ": store applied state failed: " + e.getMessage());
        }
        probe.reached(Step.REQUEST_APPLIED_STORED, reply.getId());
        log.info("event=connection-applied endpoint={} connection={} plan={} vlan={} vni={} addrs={} expires={}",
                endpoint.name(), reply.getId(), plan, allocation.vlanId(), allocation.vni(), allocation.endpointAddrs(), expires);
        return reply;
    }

    @Override
    public void close(Connection connection, Chain chain) {
        StoredConnection known = chain.context().get(LoadKnown.KNOWN);
        ExposedEndpoint endpoint = chain.context().find(SelectEndpoint.ENDPOINT).orElse(null);
        String where = "endpoint '" + known.endpoint() + "'";
        if (endpoint == null) {
            // Its endpoint left the configuration: nothing can release it, so keep the record for the operator.
            throw Failures.precondition(where + " is no longer configured; connection " + known.id() + " cannot be released");
        }
        if (known.phase() != Phase.RELEASING) {
            storeOrFail(() -> table.put(known.withPhase(Phase.RELEASING)), where, "store release");
        }
        probe.reached(Step.CLOSE_RELEASING_STORED, known.id());
        undoOrFail(endpoint, known, where, probe);
        storeOrFail(() -> table.remove(known.id()), where, "forget connection");
        probe.reached(Step.CLOSE_RECORD_REMOVED, known.id());
        log.info("event=connection-released endpoint={} connection={} cause={}", known.endpoint(), known.id(),
                chain.context().cause());
        chain.proceedClose(connection);
    }

    /** The intent a stored connection was provisioned with. */
    public static ProvisionIntent intentOf(StoredConnection c, ExposedEndpoint endpoint) {
        return new ProvisionIntent(c.id(), endpoint.spec(), c.plan(), c.allocation(), c.peer(), c.mtu());
    }

    private void undoOrFail(ExposedEndpoint endpoint, StoredConnection known, String where, StepProbe steps) {
        try {
            provisioner.undo(endpoint, intentOf(known, endpoint), known.attachment(), steps);
        } catch (StepFailure e) {
            releases.failed(endpoint.name(), known.id(), e.step(), e.getCause().getMessage());
            throw e.toStatus(where);
        }
        releases.released(endpoint.name());
    }

    private void undoQuietly(ExposedEndpoint endpoint, ProvisionIntent intent, Attachment attachment) {
        try {
            provisioner.undo(endpoint, intent, attachment);
        } catch (StepFailure e) {
            log.warn("event=undo-failed endpoint={} connection={} step=\"{}\" reason=\"{}\"",
                    endpoint.name(), intent.connectionId(), e.step(), e.getCause().getMessage());
        }
    }

    private void forgetQuietly(String id) {
        try {
            table.remove(id);
        } catch (StoreException e) {
            // The PENDING record stays and is rolled back at the next start.
            log.warn("event=forget-failed connection={} reason=\"{}\"", id, e.getMessage());
        }
    }

    private static void storeOrFail(Runnable write, String where, String step) {
        try {
            write.run();
        } catch (ClaimsRefused e) {
            throw e; // the values are taken, the store is fine: Allocate picks others
        } catch (StoreException e) {
            throw Failures.unavailable(where + ": " + step + " failed: " + e.getMessage());
        }
    }
}
