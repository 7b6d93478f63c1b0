package io.ensm.core.chain;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What travels with one Request or Close besides the protobuf message: who is calling, the gRPC
 * metadata, and typed values that one element hands to the ones after it. One context per call,
 * used by one thread at a time.
 */
public final class CallContext {
    private final Map<Key<?>, Object> values = new HashMap<>();
    private final Map<String, String> metadata;
    private final String peer;
    private final Cause cause;

    /** Why the call runs: a client asked, or ensm itself closes (expiry, recovery). */
    public enum Cause { CLIENT, EXPIRY, RECOVERY }

    public CallContext(Map<String, String> metadata, String peer, Cause cause) {
        this.metadata = Map.copyOf(metadata);
        this.peer = peer == null ? "" : peer;
        this.cause = Objects.requireNonNull(cause);
    }

    public static CallContext client() {
        return new CallContext(Map.of(), "", Cause.CLIENT);
    }

    public static CallContext internal(Cause cause) {
        return new CallContext(Map.of(), "ensm", cause);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The caller's address or identity, for logs. */
    public String peer() {
        return peer;
    }

    public Cause cause() {
        return cause;
    }

    public <T> void put(Key<T> key, T value) {
        values.put(key, value);
    }

    public <T> Optional<T> find(Key<T> key) {
        return Optional.ofNullable(key.type().cast(values.get(key)));
    }

    /** The value an earlier element must have set; its absence is a wiring bug. */
    public <T> T get(Key<T> key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("no " + key.name() + " in call context: element order is wrong");
        }
        return key.type().cast(v);
    }

    /** A typed slot in the context, declared by the element that fills it. */
    public record Key<T>(String name, Class<T> type) {
        public static <T> Key<T> of(String name, Class<T> type) {
            return new Key<>(name, type);
        }
    }

    /** The request deadline, if the caller set one. */
    public static final Key<Instant> DEADLINE = Key.of("deadline", Instant.class);

    /** The caller's identity, when the call came over mutual TLS. */
    public static final Key<Caller> CALLER = Key.of("caller", Caller.class);

    /** The certificate ensm presented on the caller's connection: its key signs ensm's token in the reply. */
    public static final Key<java.security.cert.X509Certificate> PRESENTED =
            Key.of("presented-certificate", java.security.cert.X509Certificate.class);
}
