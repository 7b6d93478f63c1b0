package io.ensm.app.config;

/** A setting that cannot work; the message starts with the key so the operator knows what to fix. */
public class InvalidConfigurationException extends RuntimeException {
    public InvalidConfigurationException(String key, String problem) {
        super("invalid configuration: " + key + ": " + problem);
    }

    public InvalidConfigurationException(String message, Throwable cause) {
        super("invalid configuration: " + message, cause);
    }
}
