package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.State;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;

/** Publishes UPDATE after every successful Request and DELETE after every Close. */
public final class Monitor implements Element {
    private final ConnectionMonitor monitor;

    public Monitor(ConnectionMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Connection reply = chain.proceed(request).toBuilder().setState(State.UP).build();
        monitor.updated(reply);
        return reply;
    }

    @Override
    public void close(Connection connection, Chain chain) {
        chain.proceedClose(connection);
        monitor.deleted(connection.toBuilder().setState(State.DOWN).build());
    }
}
