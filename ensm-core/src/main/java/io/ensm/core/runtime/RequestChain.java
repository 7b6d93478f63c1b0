package io.ensm.core.runtime;

import io.ensm.core.chain.Element;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.allocate.Allocate;
import io.ensm.core.endpoint.allocate.Allocator;
import io.ensm.core.endpoint.authorize.Authorize;
import io.ensm.core.endpoint.expiry.Expiry;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.hold.ReferCloseToHolder;
import io.ensm.core.endpoint.hold.RequireHold;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.monitor.ConnectionMonitor;
import io.ensm.core.endpoint.monitor.ConnectionOwners;
import io.ensm.core.spi.StepProbe;
import io.ensm.core.endpoint.monitor.Monitor;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.negotiate.PlanFilter;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.select.EndpointChooser;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.endpoint.updatepath.UpdatePath;
import io.ensm.core.endpoint.updatetoken.UpdateToken;
import io.ensm.core.endpoint.validate.ValidateRequest;
import io.ensm.core.replica.ServedEndpoints;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.token.TokenMinter;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The endpoint chain in the order a request flows through it. The runtime and the tests that must
 * see exactly what the service runs (fuzzing) assemble it here, so the order is decided once.
 */
public final class RequestChain {
    private RequestChain() {}

    /**
     * What the elements work on.
     *
     * @param security mutual TLS settings, or null for plaintext: then no path tokens are taken in
     *                 or signed and no call is authorized
     * @param minter   signs ensm's path tokens; required exactly when {@code security} is set
     */
    public record Parts(String name, Security security, TokenMinter minter, Clock clock, ConnectionTable table,
                        SerializeById serializer, ExpiryTimers timers, Duration defaultLifetime, Duration maxLifetime,
                        ConnectionMonitor monitor, ConnectionOwners owners, Catalog catalog, EndpointChooser chooser, Allocator allocator,
                        int defaultMtu, Provisioner provisioner, StepProbe probe, ServedEndpoints served) {
        public Parts {
            if (served == null) {
                served = ServedEndpoints.sole(name);
            }
            if ((security == null) != (minter == null)) {
                throw new IllegalArgumentException("security and token minter go together");
            }
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(owners, "owners");
            Objects.requireNonNull(probe, "probe");
        }

        /** Parts of the only replica, which serves every endpoint. */
        public Parts(String name, Security security, TokenMinter minter, Clock clock, ConnectionTable table,
                     SerializeById serializer, ExpiryTimers timers, Duration defaultLifetime, Duration maxLifetime,
                     ConnectionMonitor monitor, ConnectionOwners owners, Catalog catalog, EndpointChooser chooser, Allocator allocator,
                     int defaultMtu, Provisioner provisioner, StepProbe probe) {
            this(name, security, minter, clock, table, serializer, timers, defaultLifetime, maxLifetime, monitor, owners, catalog, chooser,
                    allocator, defaultMtu, provisioner, probe, null);
        }
    }

    public static Endpoint assemble(Parts p) {
        Forwarder forwarder = p.catalog().forwarder().orElse(null);
        List<Element> elements = new ArrayList<>(List.of(
                new ValidateRequest(),
                new UpdatePath(p.name()),
                p.serializer()));
        if (p.security() != null) {
            elements.add(new UpdateToken(p.minter()));
            elements.add(new Authorize(p.security().refusals(), p.clock()));
        }
        elements.addAll(List.of(
                new ReferCloseToHolder(p.table(), p.catalog(), p.served()),
                new LoadKnown(p.table()),
                new Expiry(p.timers(), p.clock(), p.defaultLifetime(), p.maxLifetime()),
                new Monitor(p.monitor(), p.owners()),
                new SelectEndpoint(p.catalog(), p.chooser(), p.served()::serves),
                new RequireHold(p.served()),
                new Negotiate(new PlanFilter(forwarder != null)),
                new Allocate(p.allocator(), forwarder == null ? null : forwarder.info(), p.defaultMtu(),
                        id -> p.table().get(id).isPresent()),
                new Provision(p.table(), p.provisioner(), p.probe())));
        return new Endpoint(elements);
    }
}
