package io.ensm.core.store;

import java.nio.file.Path;

/**
 * Child process of the durability test: writes sample rows forever and prints each id after its
 * put returned, until it is killed.
 */
public final class StoreWriterMain {
    private StoreWriterMain() {}

    public static void main(String[] args) {
        SqliteConnectionStore store = new SqliteConnectionStore(Path.of(args[0]));
        for (int n = 0; ; n++) {
            store.put(SampleConnections.sample(n));
            if (n % 2 == 1) {
                // a refresh of the previous row, so rows are rewritten while the process dies too
                StoredConnection prev = SampleConnections.sample(n - 1);
                store.refresh(prev.id(), prev.expires(), prev.connection());
            }
            System.out.println(SampleConnections.id(n));
            System.out.flush();
        }
    }
}
