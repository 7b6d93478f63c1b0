package io.ensm.core.chain;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;

/**
 * One behaviour of the endpoint, like an element of NSM's server chain or an OkHttp interceptor:
 * it may look at or change the request, calls {@link Chain#proceed} to run the rest, may change
 * the reply, and undoes its own work when the rest fails. Elements hold no per-call state in
 * fields; what later elements need goes into {@link CallContext}.
 */
public interface Element {

    Connection request(NetworkServiceRequest request, Chain chain);

    void close(Connection connection, Chain chain);
}
