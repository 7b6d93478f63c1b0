package io.ensm.core.chain;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;

import java.util.List;

/**
 * The rest of the chain as seen from one element: an immutable position in the element list plus
 * the call's context. The end of the chain returns the connection of the request unchanged.
 */
public final class Chain {
    private final List<Element> elements;
    private final int position;
    private final CallContext context;

    Chain(List<Element> elements, int position, CallContext context) {
        this.elements = elements;
        this.position = position;
        this.context = context;
    }

    public CallContext context() {
        return context;
    }

    /** Runs the elements after this one on the request and returns their reply. */
    public Connection proceed(NetworkServiceRequest request) {
        if (position >= elements.size()) {
            return request.getConnection();
        }
        return elements.get(position).request(request, new Chain(elements, position + 1, context));
    }

    /** Runs the Close of the elements after this one. */
    public void proceedClose(Connection connection) {
        if (position >= elements.size()) {
            return;
        }
        elements.get(position).close(connection, new Chain(elements, position + 1, context));
    }
}
