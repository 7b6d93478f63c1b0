package io.ensm.app.config;

import io.ensm.core.authz.RefusalListener;
import io.ensm.core.identity.Identity;
import io.ensm.core.identity.IdentityException;
import io.ensm.core.identity.PemFileIdentity;
import io.ensm.core.identity.WorkloadApiIdentity;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.Security;
import io.grpc.ServerInterceptor;
import io.spiffe.exception.InvalidSpiffeIdException;
import io.spiffe.spiffeid.SpiffeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How ensm's gRPC edges are secured, decided from {@code ensm.tls.*}: loads the SPIFFE identity
 * (and owns it until close), or allows plaintext where that is safe or was asked for loudly.
 * Plaintext is the default only while ensm both listens and dials the registry on loopback;
 * anything else without TLS stops start-up naming {@code ensm.tls.mode}.
 */
public final class WireSecurity implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WireSecurity.class);

    /** What the operator asked for. */
    public enum Mode {
        LOOPBACK_PLAINTEXT("plaintext (loopback only)"),
        INSECURE("insecure (plaintext)"),
        PEM_FILES("mtls (pem-files)"),
        WORKLOAD_API("mtls (spiffe-workload-api)");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Mode mode;
    private final Identity identity;
    private final Duration maxTokenLifetime;
    private final Set<String> allowedCallers;
    private final Set<String> monitorAllCallers;

    private WireSecurity(Mode mode, Identity identity, Duration maxTokenLifetime, Set<String> allowedCallers,
                         Set<String> monitorAllCallers) {
        this.mode = mode;
        this.identity = identity;
        this.maxTokenLifetime = maxTokenLifetime;
        this.allowedCallers = allowedCallers;
        this.monitorAllCallers = monitorAllCallers;
    }

    /** @throws InvalidConfigurationException naming the key to fix */
    public static WireSecurity from(EnsmProperties p) {
        EnsmProperties.Tls tls = p.tls();
        InetSocketAddress listen = SettingsMapper.address("ensm.listen", p.listen());
        boolean loopbackOnly = isLoopback(listen.getAddress()) && registryIsLoopback(p.registryUrl());
        if (tls.maxTokenLifetime().isNegative() || tls.maxTokenLifetime().isZero()) {
            throw new InvalidConfigurationException("ensm.tls.max-token-lifetime", "must be positive");
        }
        Set<String> allowed = spiffeIds("ensm.tls.allowed-callers", tls.allowedCallers());
        Set<String> watchAll = spiffeIds("ensm.tls.monitor-all-callers", tls.monitorAllCallers());
        return switch (tls.mode()) {
            case "" -> {
                if (!loopbackOnly) {
                    throw new InvalidConfigurationException("ensm.tls.mode", "ensm listens on " + p.listen()
                            + (p.registryUrl().isBlank() ? "" : " and dials the registry at " + p.registryUrl())
                            + ", which is not loopback only, and TLS is not configured: set ensm.tls.mode to "
                            + "spiffe-workload-api or pem-files (NSM peers only talk mTLS), or to insecure to accept "
                            + "plaintext from anyone who can reach the port");
                }
                noAllowedCallersWithoutTls(allowed);
                log.info("event=tls-off reason=loopback-only listen={} (set ensm.tls.mode to serve NSM peers)", p.listen());
                yield new WireSecurity(Mode.LOOPBACK_PLAINTEXT, null, tls.maxTokenLifetime(), allowed, watchAll);
            }
            case "insecure" -> {
                noAllowedCallersWithoutTls(allowed);
                if (!loopbackOnly) {
                    log.warn("event=tls-insecure listen={} registry={} ensm.tls.mode=insecure: NO TLS, NO PATH TOKENS, "
                                    + "NO AUTHORIZATION. Anyone who can reach this port can request and close connections "
                                    + "and configure the boxes behind ensm; NSM managers will not talk to it. Use "
                                    + "spiffe-workload-api or pem-files outside a lab.", p.listen(),
                            p.registryUrl().isBlank() ? "embedded" : p.registryUrl());
                } else {
                    log.warn("event=tls-insecure listen={} ensm.tls.mode=insecure on loopback", p.listen());
                }
                yield new WireSecurity(Mode.INSECURE, null, tls.maxTokenLifetime(), allowed, watchAll);
            }
            case "pem-files" -> new WireSecurity(Mode.PEM_FILES, pemFiles(tls.pem()), tls.maxTokenLifetime(), allowed, watchAll);
            case "spiffe-workload-api" -> new WireSecurity(Mode.WORKLOAD_API, workloadApi(tls.workloadApi()),
                    tls.maxTokenLifetime(), allowed, watchAll);
            default -> throw new InvalidConfigurationException("ensm.tls.mode", "unknown mode '" + tls.mode() + "'");
        };
    }

    private static Identity pemFiles(EnsmProperties.Pem pem) {
        require("ensm.tls.pem.svid", pem.svid());
        require("ensm.tls.pem.key", pem.key());
        require("ensm.tls.pem.bundle", pem.bundle());
        if (pem.reloadInterval().isNegative()) {
            throw new InvalidConfigurationException("ensm.tls.pem.reload-interval", "must not be negative");
        }
        try {
            return PemFileIdentity.load(Path.of(pem.svid()), Path.of(pem.key()), Path.of(pem.bundle()), pem.reloadInterval());
        } catch (IdentityException e) {
            throw new InvalidConfigurationException("ensm.tls.pem", e.getMessage());
        }
    }

    private static Identity workloadApi(EnsmProperties.WorkloadApi api) {
        if (api.socket().isBlank()) {
            throw new InvalidConfigurationException("ensm.tls.workload-api.socket",
                    "is empty and SPIFFE_ENDPOINT_SOCKET is not set: give the SPIRE agent's address, e.g. unix:///run/spire/sockets/agent.sock");
        }
        if (api.timeout().isNegative() || api.timeout().isZero()) {
            throw new InvalidConfigurationException("ensm.tls.workload-api.timeout", "must be positive");
        }
        try {
            return WorkloadApiIdentity.connect(api.socket(), api.timeout());
        } catch (IdentityException e) {
            throw new InvalidConfigurationException("ensm.tls.workload-api", e.getMessage());
        }
    }

    private static void require(String key, String value) {
        if (value.isBlank()) {
            throw new InvalidConfigurationException(key, "is required with ensm.tls.mode=pem-files");
        }
    }

    private static Set<String> spiffeIds(String key, List<String> ids) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            try {
                out.add(SpiffeId.parse(ids.get(i).strip()).toString());
            } catch (InvalidSpiffeIdException | IllegalArgumentException e) {
                throw new InvalidConfigurationException(key + "[" + i + "]",
                        "'" + ids.get(i) + "' is not a SPIFFE ID (spiffe://trust-domain/path): " + e.getMessage());
            }
        }
        return Set.copyOf(out);
    }

    private static void noAllowedCallersWithoutTls(Set<String> allowed) {
        if (!allowed.isEmpty()) {
            throw new InvalidConfigurationException("ensm.tls.allowed-callers",
                    "needs mutual TLS to know who calls: set ensm.tls.mode to spiffe-workload-api or pem-files");
        }
    }

    private static boolean isLoopback(InetAddress address) {
        return address != null && address.isLoopbackAddress();
    }

    private static boolean registryIsLoopback(String url) {
        if (url == null || url.isBlank()) {
            return true;
        }
        String hostPort = url.contains("://") ? url.substring(url.indexOf("://") + 3) : url;
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public Mode mode() {
        return mode;
    }

    public Optional<Identity> identity() {
        return Optional.ofNullable(identity);
    }

    /** The runtime's transport: mutual TLS with tokens and authorization, or plaintext. */
    public EnsmRuntime.Transport transport(List<ServerInterceptor> interceptors, RefusalListener refusals) {
        if (identity == null) {
            return EnsmRuntime.Transport.plaintext(interceptors);
        }
        return EnsmRuntime.Transport.mtls(new Security(identity, maxTokenLifetime, allowedCallers, refusals, monitorAllCallers), interceptors);
    }

    @Override
    public void close() {
        if (identity != null) {
            identity.close();
        }
    }
}
