package io.ensm.core.spi;

/** A setting that is missing, malformed or unknown. The message starts with the key: {@code "key: problem"}. */
public final class InvalidSettingException extends IllegalArgumentException {
    private final String key;

    public InvalidSettingException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public InvalidSettingException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    /** The setting's key. */
    public String key() {
        return key;
    }
}
