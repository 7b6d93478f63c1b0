package io.ensm.core.store;

/** {@code ensm.store.type: sqlite}, the default: a file in the data directory, one replica. */
public final class SqliteStoreProvider implements StoreProvider {
    public static final String TYPE = "sqlite";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Persistence open(StoreContext context) {
        context.settings().done();
        return Persistence.sole(new SqliteConnectionStore(context.dataDir()), context.self());
    }
}
