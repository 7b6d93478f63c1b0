package io.ensm.core.store;

import io.ensm.core.spi.SettingsReader;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds the store {@code ensm.store.type} names among the providers on the class path. */
public final class Stores {
    private Stores() {}

    /** The providers on the class path, by type. */
    public static Map<String, StoreProvider> providers() {
        Map<String, StoreProvider> out = new TreeMap<>();
        ServiceLoader.load(StoreProvider.class).forEach(p -> out.put(p.type(), p));
        return out;
    }

    /**
     * What opens the store of {@code type} with its {@code settings} ({@code ensm.store.settings.*}).
     * IllegalArgumentException, naming the key, for a type no provider offers.
     */
    public static StoreOpener opener(String type, Map<String, String> settings, Path dataDir, String cluster) {
        Map<String, StoreProvider> providers = providers();
        StoreProvider provider = providers.get(type);
        if (provider == null) {
            throw new IllegalArgumentException("store.type: '" + type + "' is not available; known: " + providers.keySet());
        }
        return (self, meters, clock) -> {
            SettingsReader reader = new SettingsReader("store", settings);
            try {
                return provider.open(new StoreContext(dataDir, reader, cluster, self, meters, clock));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("store.settings." + e.getMessage(), e);
            }
        };
    }
}
