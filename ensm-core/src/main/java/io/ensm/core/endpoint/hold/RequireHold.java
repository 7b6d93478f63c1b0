package io.ensm.core.endpoint.hold;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.replica.ServedEndpoints;

/**
 * Lets through only work on endpoints this replica holds. Another replica's endpoint gets
 * UNAVAILABLE naming that replica and its URL: NSM's heal asks the registry again and finds the
 * owner there, so refusing is enough, and it never puts two replicas in one connection's path.
 */
public final class RequireHold implements Element {
    private final ServedEndpoints served;

    public RequireHold(ServedEndpoints served) {
        this.served = served;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        check(chain.context().get(SelectEndpoint.ENDPOINT));
        return chain.proceed(request);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        chain.context().find(SelectEndpoint.ENDPOINT).ifPresent(this::check);
        chain.proceedClose(connection);
    }

    private void check(ExposedEndpoint endpoint) {
        check(served, endpoint.name());
    }

    /** UNAVAILABLE naming the replica that serves the endpoint, unless this one does. */
    static void check(ServedEndpoints served, String endpoint) {
        if (served.serves(endpoint)) {
            return;
        }
        throw Failures.unavailable(served.servedBy(endpoint)
                .map(r -> "endpoint '" + endpoint + "' is served by ensm replica '" + r.name() + "' at " + r.url())
                .orElse("no ensm replica serves endpoint '" + endpoint + "' now; it is being handed over, try again shortly"));
    }
}
