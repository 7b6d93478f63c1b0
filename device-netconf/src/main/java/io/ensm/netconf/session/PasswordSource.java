package io.ensm.netconf.session;

import io.ensm.core.spi.Redact;
import io.ensm.core.spi.Secret;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a device's password comes from. It is read at every connect (so a rotated file is picked
 * up) and never kept in configuration objects, logs or messages.
 */
public sealed interface PasswordSource {

    /** The password, or an explanation (without the password) of why it is unavailable. */
    Secret read() throws IOException;

    /** First line of a file, without the line end. */
    record File(Path path) implements PasswordSource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public Secret read() throws IOException {
            try {
                return Secret.fromFile(path);
            } catch (Secret.EmptyFileException e) {
                throw new IOException("password file " + Redact.secretFile(path.toString()) + " is empty");
            } catch (IOException e) {
                // the file system's message starts with the path, which may be the password pasted in
                throw new IOException("password file " + Redact.secretFile(path.toString()) + ": " + Redact.readFailure(e));
            }
        }

        @Override
        public String toString() {
            return "File[" + Redact.secretFile(path.toString()) + "]";
        }
    }

    /** An environment variable of ensm's process. */
    record Env(String variable, Function<String, String> environment) implements PasswordSource {
        public Env(String variable) {
            this(variable, System::getenv);
        }

        public Env {
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(environment, "environment");
        }

        @Override
        public Secret read() throws IOException {
            String value = environment.apply(variable);
            if (value == null || value.isEmpty()) {
                throw new IOException("environment variable " + Redact.envName(variable) + " is not set");
            }
            return Secret.of(value);
        }

        /** Equal when naming the same variable (the lookup function is not part of the identity). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Env e && e.variable.equals(variable);
        }

        @Override
        public int hashCode() {
            return variable.hashCode();
        }

        @Override
        public String toString() {
            return "Env[" + Redact.envName(variable) + "]";
        }
    }
}
