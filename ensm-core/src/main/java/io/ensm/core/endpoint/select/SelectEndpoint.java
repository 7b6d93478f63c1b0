package io.ensm.core.endpoint.select;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.store.StoredConnection;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Decides which of ensm's endpoints serves the connection: the one the caller named (it must be
 * ours and provide the service, else NOT_FOUND), the one a known connection is bound to, or one
 * chosen round-robin among the service's endpoints whose labels satisfy the service's matches.
 */
public final class SelectEndpoint implements Element {
    public static final CallContext.Key<ExposedEndpoint> ENDPOINT = CallContext.Key.of("endpoint", ExposedEndpoint.class);
    public static final CallContext.Key<ServiceSpec> SERVICE = CallContext.Key.of("service", ServiceSpec.class);

    private final Catalog catalog;
    private final EndpointChooser chooser;
    private final AtomicInteger next = new AtomicInteger();
    /** Endpoints this replica serves: a new connection that names none is given one of them. */
    private final Predicate<String> served;

    public SelectEndpoint(Catalog catalog, EndpointChooser chooser) {
        this(catalog, chooser, name -> true);
    }

    public SelectEndpoint(Catalog catalog, EndpointChooser chooser, Predicate<String> served) {
        this.catalog = catalog;
        this.chooser = chooser;
        this.served = served;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Connection connection = request.getConnection();
        String serviceName = connection.getNetworkService();
        ServiceSpec service = catalog.service(serviceName)
                .orElseThrow(() -> Failures.notFound("network service '" + serviceName + "' is not served here"));
        ExposedEndpoint endpoint = choose(connection, service, chain.context().find(LoadKnown.KNOWN).orElse(null));
        chain.context().put(SERVICE, service);
        chain.context().put(ENDPOINT, endpoint);
        return chain.proceed(request.toBuilder()
                .setConnection(connection.toBuilder().setNetworkServiceEndpointName(endpoint.name())).build());
    }

    @Override
    public void close(Connection connection, Chain chain) {
        StoredConnection known = chain.context().get(LoadKnown.KNOWN);
        catalog.endpoint(known.endpoint()).ifPresent(e -> chain.context().put(ENDPOINT, e));
        catalog.service(known.service()).ifPresent(s -> chain.context().put(SERVICE, s));
        chain.proceedClose(connection);
    }

    private ExposedEndpoint choose(Connection connection, ServiceSpec service, StoredConnection known) {
        String asked = connection.getNetworkServiceEndpointName();
        if (known != null) {
            if (!asked.isEmpty() && !asked.equals(known.endpoint())) {
                throw Failures.invalid("connection " + connection.getId() + " is bound to endpoint '" + known.endpoint()
                        + "'; close it before asking for '" + asked + "'");
            }
            if (!known.service().equals(service.name())) {
                throw Failures.invalid("connection " + connection.getId() + " belongs to service '" + known.service()
                        + "', not '" + service.name() + "'");
            }
            return catalog.endpoint(known.endpoint()).orElseThrow(() -> Failures.notFound(
                    "endpoint '" + known.endpoint() + "' of connection " + connection.getId() + " is no longer configured"));
        }
        if (!asked.isEmpty()) {
            ExposedEndpoint e = catalog.endpoint(asked)
                    .orElseThrow(() -> Failures.notFound("network service endpoint '" + asked + "' is not one of this ensm's endpoints"));
            if (!e.spec().service().equals(service.name())) {
                throw Failures.notFound("endpoint '" + asked + "' does not provide network service '" + service.name() + "'");
            }
            if (catalog.isWithdrawn(asked)) {
                throw Failures.notFound("endpoint '" + asked + "' is being withdrawn and takes no new connections");
            }
            return e;
        }
        List<ExposedEndpoint> matching = chooser.candidates(service, connection.getLabelsMap(), catalog.endpointsOf(service.name()));
        if (matching.isEmpty()) {
            throw Failures.notFound("no endpoint of network service '" + service.name() + "' matches the connection's labels "
                    + connection.getLabelsMap());
        }
        List<ExposedEndpoint> candidates = matching.stream().filter(e -> served.test(e.name())).toList();
        if (candidates.isEmpty()) {
            throw Failures.unavailable("no endpoint of network service '" + service.name() + "' that matches the connection's labels"
                    + " is served by this ensm replica now; the registry names the replicas that serve them");
        }
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }
}
