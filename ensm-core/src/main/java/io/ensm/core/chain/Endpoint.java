package io.ensm.core.chain;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;

import java.util.List;

/** A complete endpoint: its elements in the order a request flows through them. */
public final class Endpoint {
    private final List<Element> elements;

    public Endpoint(List<Element> elements) {
        this.elements = List.copyOf(elements);
    }

    public Connection request(NetworkServiceRequest request, CallContext context) {
        return new Chain(elements, 0, context).proceed(request);
    }

    public void close(Connection connection, CallContext context) {
        new Chain(elements, 0, context).proceedClose(connection);
    }

    public List<Element> elements() {
        return elements;
    }
}
