package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.State;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;

/**
 * Publishes UPDATE after every successful Request and DELETE after every Close, and records who
 * requested each connection (over mutual TLS) for the monitor's authorization.
 */
public final class Monitor implements Element {
    private final ConnectionMonitor monitor;
    private final ConnectionOwners owners;

    public Monitor(ConnectionMonitor monitor, ConnectionOwners owners) {
        this.monitor = monitor;
        this.owners = owners;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Connection reply = chain.proceed(request).toBuilder().setState(State.UP).build();
        chain.context().find(CallContext.CALLER).ifPresent(caller -> owners.own(reply.getId(), caller.spiffeId()));
        monitor.updated(reply);
        return reply;
    }

    @Override
    public void close(Connection connection, Chain chain) {
        chain.proceedClose(connection);
        owners.forget(connection.getId());
        monitor.deleted(connection.toBuilder().setState(State.DOWN).build());
    }
}
