package io.ensm.tf.vnc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A token or password. Its text is handed out only to be put on the wire; {@link #toString()}
 * never shows it, so it cannot reach a log line or an exception message by accident.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        this.value = value;
    }

    /** Reads the file's content without its trailing line break. */
    public static Secret fromFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IOException("the file is empty");
        }
        return new Secret(text);
    }

    /** The secret text, for a request header or body only. */
    public String reveal() {
        return value;
    }

    public boolean matches(String candidate) {
        return value.equals(candidate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "Secret[hidden]";
    }
}
