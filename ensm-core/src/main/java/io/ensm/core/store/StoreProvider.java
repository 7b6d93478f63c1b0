package io.ensm.core.store;

/**
 * Makes the store a {@code ensm.store.type} names. Found with {@link java.util.ServiceLoader}: the
 * embedded SQLite store is in the core, stores shared by several replicas are modules of their own.
 */
public interface StoreProvider {

    /** The value of {@code ensm.store.type} that selects this provider. */
    String type();

    /**
     * Opens the store. Throws {@link io.ensm.core.spi.InvalidSettingException} for a bad setting
     * and {@link StoreException} when the store cannot be reached.
     */
    Persistence open(StoreContext context);
}
