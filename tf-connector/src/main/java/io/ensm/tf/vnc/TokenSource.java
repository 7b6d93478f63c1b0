package io.ensm.tf.vnc;

import io.ensm.core.spi.Secret;

import java.util.Optional;

/** Where the {@code X-Auth-Token} of VNC API calls comes from. */
public sealed interface TokenSource permits TokenSource.None, TokenSource.Fixed, KeystoneTokens {

    /** The token to send, or empty when the API runs without authentication. */
    Optional<Secret> current() throws VncException;

    /**
     * The API answered 401 to {@code refused}. Returns true when a different token can now be had
     * (the caller retries once), false when retrying cannot help.
     */
    boolean renew(Secret refused);

    static TokenSource none() {
        return new None();
    }

    static TokenSource fixed(Secret token) {
        return new Fixed(token);
    }

    /** TF with {@code auth=noauth} (or behind a trusted proxy): no header. */
    record None() implements TokenSource {
        @Override
        public Optional<Secret> current() {
            return Optional.empty();
        }

        @Override
        public boolean renew(Secret refused) {
            return false;
        }
    }

    /** A token issued out of band (e.g. a long-lived service token in a file). */
    record Fixed(Secret token) implements TokenSource {
        @Override
        public Optional<Secret> current() {
            return Optional.of(token);
        }

        @Override
        public boolean renew(Secret refused) {
            return false;
        }
    }
}
