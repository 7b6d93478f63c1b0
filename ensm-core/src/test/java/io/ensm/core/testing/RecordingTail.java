package io.ensm.core.testing;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The "next" of an element under test: records what reached it (and the call context it saw),
 * answers with the request's connection (optionally changed), or fails on demand.
 */
public final class RecordingTail implements Element {
    private final List<NetworkServiceRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Connection> closes = new CopyOnWriteArrayList<>();
    private final List<CallContext> contexts = new CopyOnWriteArrayList<>();
    private volatile UnaryOperator<Connection> reply = c -> c;
    private volatile RuntimeException failure;
    private volatile Consumer<CallContext> onCall = c -> {};

    /** Changes the connection it replies with. */
    public RecordingTail replying(UnaryOperator<Connection> change) {
        this.reply = change;
        return this;
    }

    /** Every later call (request or close) throws this, after being recorded. */
    public RecordingTail failing(RuntimeException e) {
        this.failure = e;
        return this;
    }

    public RecordingTail succeeding() {
        this.failure = null;
        return this;
    }

    /** Runs inside every call, e.g. to block on a latch. */
    public RecordingTail onCall(Consumer<CallContext> action) {
        this.onCall = action;
        return this;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        requests.add(request);
        contexts.add(chain.context());
        onCall.accept(chain.context());
        if (failure != null) {
            throw failure;
        }
        return reply.apply(request.getConnection());
    }

    @Override
    public void close(Connection connection, Chain chain) {
        closes.add(connection);
        contexts.add(chain.context());
        onCall.accept(chain.context());
        if (failure != null) {
            throw failure;
        }
    }

    public List<NetworkServiceRequest> requests() {
        return List.copyOf(requests);
    }

    public NetworkServiceRequest lastRequest() {
        return requests.getLast();
    }

    public List<Connection> closes() {
        return List.copyOf(closes);
    }

    public CallContext lastContext() {
        return contexts.getLast();
    }

    public int calls() {
        return requests.size() + closes.size();
    }
}
