package io.ensm.core.endpoint.hold;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.replica.ServedEndpoints;
import io.ensm.core.state.ConnectionTable;

/**
 * A Close of a connection this replica does not know, on an endpoint another replica serves, is
 * sent there (UNAVAILABLE naming the holder) instead of being answered OK here: after a
 * hand-over the old holder no longer knows the endpoint's connections, and an OK would leave the
 * connection on the device until it expires. Placed before {@code LoadKnown}, which ends a Close of
 * an unknown id with success.
 */
public final class ReferCloseToHolder implements Element {
    private final ConnectionTable table;
    private final Catalog catalog;
    private final ServedEndpoints served;

    public ReferCloseToHolder(ConnectionTable table, Catalog catalog, ServedEndpoints served) {
        this.table = table;
        this.catalog = catalog;
        this.served = served;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        return chain.proceed(request);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        String endpoint = connection.getNetworkServiceEndpointName();
        if (!endpoint.isEmpty() && table.get(connection.getId()).isEmpty() && catalog.endpoint(endpoint).isPresent()) {
            RequireHold.check(served, endpoint);
        }
        chain.proceedClose(connection);
    }
}
