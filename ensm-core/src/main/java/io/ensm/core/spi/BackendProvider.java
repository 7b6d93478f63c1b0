package io.ensm.core.spi;

/**
 * Makes backends of one type, found through {@link java.util.ServiceLoader} so that a backend can
 * be added without touching the assembly.
 */
public interface BackendProvider {

    /** The type name used in configuration ({@code backend.type}). */
    String type();

    /**
     * Creates the backend for an endpoint. Reads every setting through the context's reader and
     * calls its {@link SettingsReader#done()} before starting anything; every marker the backend
     * writes names the context's owner.
     *
     * @throws IllegalArgumentException naming a bad setting ({@link InvalidSettingException})
     */
    Backend create(BackendContext context);
}
