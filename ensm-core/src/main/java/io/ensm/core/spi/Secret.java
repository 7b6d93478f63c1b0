package io.ensm.core.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A password or token a backend holds in memory. Its text comes out only through {@link #reveal()},
 * for the one call that puts it on the wire; {@link #toString()} never shows it, so it cannot reach
 * a log line, an exception message or a record's toString by accident.
 */
public final class Secret {
    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    /** The secret; refused when null or empty (the message never holds a value). */
    public static Secret of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the secret is empty");
        }
        return new Secret(value.toCharArray());
    }

    /**
     * The first line of a UTF-8 file without its line end ({@code \n}, {@code \r\n} or {@code \r}), so
     * that a file written by {@code echo} holds the secret; the rest of the file is ignored.
     *
     * @throws EmptyFileException when that line is empty
     * @throws IOException as the file system reports it, which names the path: callers that may be
     *     given the secret itself in place of a path quote it through {@link Redact#readFailure}
     */
    public static Secret fromFile(Path file) throws IOException {
        String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
        if (first.isEmpty()) {
            throw new EmptyFileException();
        }
        return new Secret(first.toCharArray());
    }

    /** The clear text, for the request that must carry it. */
    public String reveal() {
        return new String(value);
    }

    /** True when {@code text} contains the secret, for checks that it did not leak. */
    public boolean occursIn(String text) {
        return text != null && text.contains(reveal());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "(secret)";
    }

    /** A secret's file has nothing on its first line; the message names no path, which may be the secret. */
    public static final class EmptyFileException extends IOException {
        public EmptyFileException() {
            super("the file is empty");
        }
    }
}
