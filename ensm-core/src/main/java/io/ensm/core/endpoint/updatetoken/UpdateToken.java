package io.ensm.core.endpoint.updatetoken;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Caller;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.registry.ProtoTime;
import io.ensm.core.token.TokenMetadata;
import io.ensm.core.token.TokenMinter;

import java.time.Instant;
import java.util.Map;

/**
 * Takes in the caller's path token and signs ensm's own, like NSM's updatetoken server. The
 * caller's {@code nsm-client-token} and {@code nsm-client-token-expires} metadata become the
 * token and expiry of the previous path segment; ensm's own segment gets a new ES256 token
 * (sub = ensm, aud = [caller]) and expires when that token does, or earlier if the caller's
 * certificate expires first. Close gets the same treatment so that its path can be authorized;
 * closes ensm starts itself (expiry, recovery) pass untouched.
 */
public final class UpdateToken implements Element {
    /** When ensm's own segment expires: the expiry element must not promise more. */
    public static final CallContext.Key<Instant> OWN_TOKEN_EXPIRES = CallContext.Key.of("own-token-expires", Instant.class);

    private final TokenMinter minter;

    public UpdateToken(TokenMinter minter) {
        this.minter = minter;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Connection connection = request.getConnection();
        if (connection.getPath().getPathSegmentsCount() == 0) {
            return chain.proceed(request);
        }
        Updated updated = update(connection.getPath(), chain.context());
        chain.context().put(OWN_TOKEN_EXPIRES, updated.ownExpires());
        return chain.proceed(request.toBuilder().setConnection(connection.toBuilder().setPath(updated.path())).build());
    }

    @Override
    public void close(Connection connection, Chain chain) {
        if (chain.context().cause() != CallContext.Cause.CLIENT || connection.getPath().getPathSegmentsCount() == 0) {
            chain.proceedClose(connection);
            return;
        }
        chain.proceedClose(connection.toBuilder().setPath(update(connection.getPath(), chain.context()).path()).build());
    }

    private record Updated(Path path, Instant ownExpires) {}

    private Updated update(Path path, CallContext context) {
        int own = path.getIndex();
        Path.Builder b = path.toBuilder();
        if (own > 0) {
            b.setPathSegments(own - 1, fromMetadata(path.getPathSegments(own - 1), context.metadata()));
        }
        Caller caller = context.find(CallContext.CALLER).orElse(null);
        TokenMinter.Minted minted = minter.mint(caller == null ? null : caller.spiffeId(),
                context.find(CallContext.PRESENTED).orElse(null));
        Instant expires = minted.expires();
        if (caller != null) {
            Instant callerNotAfter = caller.certificate().getNotAfter().toInstant();
            if (callerNotAfter.isBefore(expires)) {
                expires = callerNotAfter;
            }
        }
        b.setPathSegments(own, path.getPathSegments(own).toBuilder()
                .setToken(minted.token())
                .setExpires(ProtoTime.toTimestamp(expires)));
        return new Updated(b.build(), expires);
    }

    /** The caller's segment with the token it sent in metadata; unchanged when it sent none (NSM only warns then). */
    private static PathSegment fromMetadata(PathSegment segment, Map<String, String> metadata) {
        String token = metadata.get(TokenMetadata.TOKEN_KEY);
        if (token == null) {
            return segment;
        }
        PathSegment.Builder b = segment.toBuilder().setToken(token);
        String expires = metadata.get(TokenMetadata.EXPIRES_KEY);
        if (expires != null) {
            try {
                b.setExpires(ProtoTime.toTimestamp(TokenMetadata.parseExpires(expires)));
            } catch (IllegalArgumentException e) {
                throw Failures.invalid(e.getMessage());
            }
        }
        return b.build();
    }
}
