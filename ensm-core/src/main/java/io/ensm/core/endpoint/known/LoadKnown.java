package io.ensm.core.endpoint.known;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.StoredConnection;

/**
 * Looks up whether the connection id is already one of ensm's, so that later elements can tell a
 * refresh from a new connection. A Close of an unknown id ends here with success: Close is
 * idempotent, and nothing downstream has anything to undo.
 */
public final class LoadKnown implements Element {
    /** The stored record of a known connection; absent for a new one. */
    public static final CallContext.Key<StoredConnection> KNOWN = CallContext.Key.of("known", StoredConnection.class);

    private final ConnectionTable table;

    public LoadKnown(ConnectionTable table) {
        this.table = table;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        table.get(request.getConnection().getId()).ifPresent(k -> chain.context().put(KNOWN, k));
        return chain.proceed(request);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        var known = table.get(connection.getId());
        if (known.isEmpty()) {
            return;
        }
        chain.context().put(KNOWN, known.get());
        chain.proceedClose(connection);
    }
}
