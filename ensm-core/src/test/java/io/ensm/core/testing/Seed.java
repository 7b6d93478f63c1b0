package io.ensm.core.testing;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;

import java.util.function.Consumer;

/** Puts into the call context what the elements before the one under test would have put there. */
public final class Seed implements Element {
    private final Consumer<CallContext> fill;

    private Seed(Consumer<CallContext> fill) {
        this.fill = fill;
    }

    public static Seed of(Consumer<CallContext> fill) {
        return new Seed(fill);
    }

    public static <T> Seed with(CallContext.Key<T> key, T value) {
        return new Seed(c -> c.put(key, value));
    }

    /** Adds another value to seed. */
    public <T> Seed and(CallContext.Key<T> key, T value) {
        Consumer<CallContext> before = fill;
        return new Seed(c -> {
            before.accept(c);
            c.put(key, value);
        });
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        fill.accept(chain.context());
        return chain.proceed(request);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        fill.accept(chain.context());
        chain.proceedClose(connection);
    }
}
