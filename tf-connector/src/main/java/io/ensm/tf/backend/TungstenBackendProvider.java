package io.ensm.tf.backend;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.Redact;
import io.ensm.core.spi.Secret;
import io.ensm.tf.vnc.KeystoneTokens;
import io.ensm.tf.vnc.TokenSource;
import io.ensm.tf.vnc.VncClient;
import io.ensm.tf.vnc.VncException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Backend type {@code tungsten}; settings in {@link TungstenSettings}. The configured virtual
 * network, fabric and virtual-port-group are looked up at once: one that TF does not have stops
 * start-up naming the key. When TF cannot be reached at start, ensm starts anyway and looks them up
 * on first use (requests fail UNAVAILABLE meanwhile).
 */
public final class TungstenBackendProvider implements BackendProvider {
    private static final Logger log = LoggerFactory.getLogger(TungstenBackendProvider.class);

    @Override
    public String type() {
        return TungstenBackend.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        EndpointSpec endpoint = context.endpoint();
        TungstenSettings settings = TungstenSettings.parse(context.settings());
        VncClient client = new VncClient(settings.apiUrl(), settings.timeout(), settings.retries(), tokens(settings));
        TungstenBackend backend = new TungstenBackend(endpoint.name(), settings, client, context.owner(), context.segment());
        try {
            backend.start();
        } catch (AnchorResolver.Missing e) {
            backend.close();
            throw new IllegalArgumentException(e.key() + ": " + e.getMessage(), e);
        } catch (VncException e) {
            if (e.status() == VncException.NO_ANSWER || e.status() >= 500) {
                log.warn("event=tf-unreachable-at-start endpoint={} api={} reason=\"{}\" action=\"look up the configured objects on first use\"",
                        endpoint.name(), settings.apiUrl(), e.getMessage());
                return backend;
            }
            backend.close();
            throw new IllegalArgumentException(rejectedKey(settings, e) + ": " + e.getMessage(), e);
        }
        return backend;
    }

    /** The setting to fix when TF answers the start-up lookups with an error. */
    private static String rejectedKey(TungstenSettings settings, VncException e) {
        if (e.status() == 401 || e.status() == 403) {
            return switch (settings.auth()) {
                case TungstenSettings.Auth.None n -> TungstenSettings.TOKEN_FILE;
                case TungstenSettings.Auth.TokenFile t -> TungstenSettings.TOKEN_FILE;
                case TungstenSettings.Auth.Keystone k -> TungstenSettings.KEYSTONE_USERNAME;
            };
        }
        return TungstenSettings.API_URL;
    }

    private static TokenSource tokens(TungstenSettings settings) {
        return switch (settings.auth()) {
            case TungstenSettings.Auth.None n -> TokenSource.none();
            case TungstenSettings.Auth.TokenFile t -> TokenSource.fixed(secret(TungstenSettings.TOKEN_FILE, t.file()));
            case TungstenSettings.Auth.Keystone k -> new KeystoneTokens(new KeystoneTokens.Credentials(k.url(), k.username(),
                    secret(TungstenSettings.KEYSTONE_PASSWORD_FILE, k.passwordFile()), k.userDomain(), k.project(), k.projectDomain()),
                    settings.timeout(), Clock.systemUTC());
        };
    }

    private static Secret secret(String key, Path file) {
        try {
            return Secret.fromFile(file);
        } catch (IOException e) {
            // no cause: the file system's message holds the path, which may be the secret pasted in
            throw new IllegalArgumentException(key + ": cannot read " + Redact.secretFile(file.toString()) + ": "
                    + Redact.readFailure(e));
        }
    }
}
