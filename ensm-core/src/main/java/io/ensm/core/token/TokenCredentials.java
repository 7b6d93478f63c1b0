package io.ensm.core.token;

import io.ensm.core.chain.Caller;
import io.ensm.core.tls.Callers;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;

import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Sends this hop's path token on every outgoing call, like NSM's per-RPC token credentials:
 * {@code nsm-client-token} signed for the server's SPIFFE ID (read from the TLS session) and
 * {@code nsm-client-token-expires}. For registry calls it also sends the registry {@code path}
 * metadata with this hop as the only segment. The token is signed with the key of the certificate
 * this side presented on the connection, which may predate a rotation, so that the server's
 * prev_token_signed check holds. Without TLS the call fails: tokens only travel over mutual TLS.
 */
public final class TokenCredentials extends CallCredentials {
    private final TokenMinter minter;
    private final boolean registryPath;

    private TokenCredentials(TokenMinter minter, boolean registryPath) {
        this.minter = minter;
        this.registryPath = registryPath;
    }

    /** For calls to an NSM endpoint or manager. */
    public static TokenCredentials forNetworkService(TokenMinter minter) {
        return new TokenCredentials(minter, false);
    }

    /** For calls to an NSM registry: adds the {@code path} metadata. */
    public static TokenCredentials forRegistry(TokenMinter minter) {
        return new TokenCredentials(minter, true);
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
        Optional<Caller> server = Callers.of(info.getTransportAttrs());
        if (server.isEmpty()) {
            applier.fail(Status.UNAUTHENTICATED.withDescription(
                    "NSM path tokens are only sent over mutual TLS, and the server presented no SPIFFE X.509-SVID"));
            return;
        }
        try {
            TokenMinter.Minted minted = minter.mint(server.get().spiffeId(), Callers.presented(info.getTransportAttrs()).orElse(null));
            Metadata headers = new Metadata();
            headers.put(TokenMetadata.TOKEN, minted.token());
            headers.put(TokenMetadata.EXPIRES, TokenMetadata.formatExpires(minted.expires()));
            if (registryPath) {
                headers.put(TokenMetadata.PATH, RegistryPath.single(minted.token()).toJson());
            }
            applier.apply(headers);
        } catch (RuntimeException e) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("cannot sign the path token: " + e.getMessage()));
        }
    }
}
