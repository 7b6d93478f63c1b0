package io.ensm.core.spi;

/** Makes endpoint sources of one type, found through {@link java.util.ServiceLoader}. */
public interface EndpointSourceProvider {

    /** The type name used in configuration ({@code discovery[].type}). */
    String type();

    /**
     * Creates the source; reads its settings through the context's reader (ending with
     * {@link SettingsReader#done()}).
     *
     * @throws IllegalArgumentException naming a bad setting
     */
    EndpointSource create(SourceContext context);
}
