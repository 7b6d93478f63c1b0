package io.ensm.core.spi;

/** Makes the local forwarder, found through {@link java.util.ServiceLoader}. */
public interface ForwarderProvider {

    /** The type name used in configuration. */
    String type();

    /**
     * Creates the forwarder; reads its settings through the context's reader (ending with
     * {@link SettingsReader#done()}) and marks every link with the context's owner.
     *
     * @throws IllegalArgumentException naming a bad setting
     */
    Forwarder create(ForwarderContext context);
}
