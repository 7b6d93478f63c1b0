package io.ensm.store.etcd;

import io.ensm.core.spi.Secret;
import io.ensm.core.spi.SettingsReader;
import io.ensm.store.etcd.client.EtcdAuth;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.client.EtcdTls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code ensm.store.settings.*} of the etcd store, read and checked before anything connects:
 * every problem names its key, a file's problem names the file too, and nothing quotes a
 * password or a key's contents.
 *
 * @param client the client's settings: endpoints, timeouts, TLS, user
 * @param prefix the key prefix, starting with '/'
 * @param leaseTtl the replica lease's TTL
 * @param openTimeout how long a starting replica waits for an etcd that does not answer (zero: not at all)
 */
public record EtcdStoreSettings(EtcdSettings client, String prefix, Duration leaseTtl, Duration openTimeout) {
    static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(5);
    /**
     * Long enough to ride out an etcd leader election or a cluster restarted together with ensm,
     * short of Kubernetes giving up on the start (the manifests' startupProbe allows 5 minutes).
     */
    static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofMinutes(2);

    public static final String ENDPOINTS = "endpoints";
    public static final String CA_FILE = "ca-file";
    public static final String CERT_FILE = "cert-file";
    public static final String KEY_FILE = "key-file";
    public static final String USERNAME = "username";
    public static final String PASSWORD_FILE = "password-file";
    public static final String PASSWORD_ENV = "password-env";

    /** Reads every key, ending with {@link SettingsReader#done()}; the environment resolves {@code password-env}. */
    public static EtcdStoreSettings parse(SettingsReader s, Function<String, String> environment) {
        if (s.has("password")) {
            throw s.invalid("password", "not accepted in the configuration; put it in a file (" + PASSWORD_FILE
                    + ") or an environment variable (" + PASSWORD_ENV + ")");
        }
        String endpoints = s.required(ENDPOINTS, "the client URLs of the etcd members, e.g. https://10.0.0.1:2379,https://10.0.0.2:2379");
        String prefix = s.string("prefix", "/ensm");
        if (!prefix.startsWith("/")) {
            throw s.invalid("prefix", "must start with '/', got '" + prefix + "'");
        }
        Duration ttl = s.duration("lease-ttl", DEFAULT_LEASE_TTL, Duration.ofSeconds(2), Duration.ofMinutes(1));
        Duration callTimeout = s.duration("call-timeout", EtcdSettings.DEFAULT_CALL_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration openTimeout = s.duration("open-timeout", DEFAULT_OPEN_TIMEOUT, Duration.ZERO, Duration.ofHours(1));
        Optional<Path> ca = s.optional(CA_FILE).map(Path::of);
        Optional<Path> cert = s.optional(CERT_FILE).map(Path::of);
        Optional<Path> key = s.optional(KEY_FILE).map(Path::of);
        Optional<String> user = s.optional(USERNAME).map(String::strip);
        Optional<Secret> password = s.secret(PASSWORD_FILE, PASSWORD_ENV, environment);
        s.done();

        EtcdSettings client;
        try {
            client = EtcdSettings.parse(endpoints).withCallTimeout(callTimeout);
        } catch (IllegalArgumentException e) {
            throw s.invalid(ENDPOINTS, e.getMessage(), e);
        }
        boolean tlsFiles = ca.isPresent() || cert.isPresent() || key.isPresent();
        if (tlsFiles && !client.secure()) {
            String first = ca.isPresent() ? CA_FILE : cert.isPresent() ? CERT_FILE : KEY_FILE;
            throw s.invalid(first, "is set but the endpoints use http://; give https:// endpoints for TLS to etcd");
        }
        if (cert.isPresent() != key.isPresent()) {
            throw s.invalid(cert.isPresent() ? KEY_FILE : CERT_FILE, "missing: a client certificate needs both "
                    + CERT_FILE + " and " + KEY_FILE);
        }
        if (client.secure()) {
            try {
                EtcdTls tls = new EtcdTls(ca.orElse(null), cert.orElse(null), key.orElse(null));
                tls.check();
                client = client.withTls(tls);
            } catch (EtcdTls.BadFile e) {
                throw s.invalid(keyOf(e.role()), e.file() + ": " + e.problem());
            }
        }
        if (user.isPresent() != password.isPresent()) {
            throw s.invalid(user.isPresent() ? PASSWORD_FILE : USERNAME, user.isPresent()
                    ? "missing: " + USERNAME + " needs a password (" + PASSWORD_FILE + " or " + PASSWORD_ENV + ")"
                    : "missing: a password is given without the user it belongs to");
        }
        if (user.isPresent()) {
            if (user.get().isEmpty()) {
                throw s.invalid(USERNAME, "is empty");
            }
            client = client.withAuth(new EtcdAuth(user.get(), password.get()));
        }
        return new EtcdStoreSettings(client, prefix, ttl, openTimeout);
    }

    private static String keyOf(EtcdTls.Role role) {
        return switch (role) {
            case CA -> CA_FILE;
            case CERT -> CERT_FILE;
            case KEY -> KEY_FILE;
        };
    }
}
