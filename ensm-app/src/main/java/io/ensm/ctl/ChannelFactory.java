package io.ensm.ctl;

import io.ensm.core.identity.Identity;
import io.ensm.core.identity.IdentityException;
import io.ensm.core.identity.PemFileIdentity;
import io.ensm.core.identity.WorkloadApiIdentity;
import io.ensm.core.tls.MtlsCredentials;
import io.ensm.core.token.TokenCredentials;
import io.ensm.core.token.TokenMinter;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one place where ensmctl opens gRPC channels: plaintext, or mutual TLS with a SPIFFE
 * identity, in which case every call carries an NSM path token (sub = ensmctl's SPIFFE ID,
 * aud = [the server's]) as NSM clients send it.
 */
public final class ChannelFactory {
    private static final Duration WORKLOAD_API_TIMEOUT = Duration.ofSeconds(10);

    private final Map<ManagedChannel, Identity> identities = new IdentityHashMap<>();

    /** Opens a plaintext channel to {@code host:port} (IPv6 hosts in brackets, e.g. {@code [::1]:5003}). */
    public ManagedChannel open(String address) {
        return open(address, ClientTls.plaintext(), Duration.ofMinutes(10));
    }

    /**
     * Opens a channel with the given transport security; path tokens live {@code tokenLifetime}.
     *
     * @throws CliFailure when the identity cannot be loaded
     */
    ManagedChannel open(String address, ClientTls tls, Duration tokenLifetime) {
        if (!tls.enabled()) {
            return build(address, InsecureChannelCredentials.create());
        }
        Identity identity = identity(tls);
        try {
            TokenMinter minter = new TokenMinter(identity, tokenLifetime, Clock.systemUTC());
            ChannelCredentials credentials = CompositeChannelCredentials.create(MtlsCredentials.client(identity),
                    TokenCredentials.forNetworkService(minter));
            ManagedChannel channel = build(address, credentials);
            synchronized (identities) {
                identities.put(channel, identity);
            }
            return channel;
        } catch (RuntimeException e) {
            identity.close();
            throw new CliFailure("cannot use the SPIFFE identity: " + e.getMessage(), Ensmctl.EXIT_FILE, e);
        }
    }

    private static ManagedChannel build(String address, ChannelCredentials credentials) {
        return Grpc.newChannelBuilder(address, credentials).userAgent("ensmctl").build();
    }

    private static Identity identity(ClientTls tls) {
        if (tls.pemFiles()) {
            if (tls.svid() == null || tls.key() == null || tls.bundle() == null) {
                throw new CliFailure("--tls-svid, --tls-key and --tls-bundle go together: give all three", Ensmctl.EXIT_USAGE, null);
            }
            try {
                return PemFileIdentity.load(tls.svid(), tls.key(), tls.bundle(), Duration.ZERO);
            } catch (IdentityException e) {
                throw new CliFailure(e.getMessage(), Ensmctl.EXIT_FILE, e);
            }
        }
        try {
            return WorkloadApiIdentity.connect(tls.workloadApi(), WORKLOAD_API_TIMEOUT);
        } catch (IdentityException e) {
            throw new CliFailure(e.getMessage(), Ensmctl.EXIT_UNREACHABLE, e);
        }
    }

    /** Shuts a channel down without waiting for calls that were left running, and lets go of its identity. */
    void release(ManagedChannel channel) {
        close(channel);
        Identity identity;
        synchronized (identities) {
            identity = identities.remove(channel);
        }
        if (identity != null) {
            identity.close();
        }
    }

    /** Shuts a channel down without waiting for calls that were left running. */
    public static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
