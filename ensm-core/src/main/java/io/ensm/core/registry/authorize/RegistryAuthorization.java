package io.ensm.core.registry.authorize;

import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.core.authz.PathPolicies;
import io.ensm.core.authz.Policy;
import io.ensm.core.authz.Refusal;
import io.ensm.core.authz.RefusalListener;
import io.ensm.core.chain.Caller;
import io.ensm.core.registry.ProtoTime;
import io.ensm.core.tls.Callers;
import io.ensm.core.token.PathToken;
import io.ensm.core.token.RegistryPath;
import io.ensm.core.token.TokenMetadata;
import io.ensm.core.token.TokenMinter;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NSM's registry server security in front of the embedded registry, for Register and Unregister
 * of network services and endpoints (Find is open to any mTLS peer, as in NSM):
 * <ol>
 * <li>the registry path from metadata {@code path} gets the caller's {@code nsm-client-token} in
 *     the previous segment and this registry's own token in its segment, as NSM's updatepath does;
 * <li>the policies tokens_valid, prev_token_signed, tokens_expired and tokens_chained run on the
 *     path up to this registry, then client_allowed: only the first registrant of a name may
 *     register it again or unregister it;
 * <li>an endpoint's expiration is cut to the caller's token expiry and this registry's, and its
 *     {@code path_ids} get the caller's and the registry's SPIFFE IDs;
 * <li>the updated path goes back in the response header {@code path}.
 * </ol>
 * A refusal is PERMISSION_DENIED naming the policy; malformed path metadata is INVALID_ARGUMENT.
 */
public final class RegistryAuthorization implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(RegistryAuthorization.class);
    private static final Set<String> GUARDED = Set.of(
            "registry.NetworkServiceRegistry/Register", "registry.NetworkServiceRegistry/Unregister",
            "registry.NetworkServiceEndpointRegistry/Register", "registry.NetworkServiceEndpointRegistry/Unregister");

    private final TokenMinter minter;
    private final RefusalListener refusals;
    private final Clock clock;
    /** "service/NAME" or "endpoint/NAME" to the SPIFFE ID of its first registrant. */
    private final ConcurrentHashMap<String, String> owners = new ConcurrentHashMap<>();

    public RegistryAuthorization(TokenMinter minter, RefusalListener refusals, Clock clock) {
        this.minter = minter;
        this.refusals = refusals;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (!GUARDED.contains(method)) {
            return next.startCall(call, headers);
        }
        Guarded<Q, R> guarded = new Guarded<>(call, headers, method.endsWith("/Register"));
        return guarded.listen(next.startCall(guarded, headers));
    }

    /** Who owns a name now, for tests and diagnostics. */
    public Optional<String> owner(String kind, String name) {
        return Optional.ofNullable(owners.get(kind + "/" + name));
    }

    /** One guarded call: checks its single request message before the registry sees it. */
    private final class Guarded<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final Metadata headers;
        private final boolean register;
        private volatile boolean refused;
        private volatile RegistryPath replyPath;
        private volatile String ownerKey;
        private volatile String claimant;
        private volatile boolean newClaim;

        Guarded(ServerCall<Q, R> call, Metadata headers, boolean register) {
            super(call);
            this.headers = headers;
            this.register = register;
        }

        ServerCall.Listener<Q> listen(ServerCall.Listener<Q> delegate) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
                @Override
                public void onMessage(Q message) {
                    Q checked;
                    try {
                        checked = check(message);
                    } catch (StatusRuntimeException e) {
                        refused = true;
                        Guarded.super.close(e.getStatus(), new Metadata());
                        return;
                    } catch (RuntimeException e) {
                        refused = true;
                        log.error("event=registry-authorization-failed reason=\"unexpected error\"", e);
                        Guarded.super.close(Status.INTERNAL.withDescription("registry authorization failed: " + e.getMessage()),
                                new Metadata());
                        return;
                    }
                    super.onMessage(checked);
                }

                @Override
                public void onHalfClose() {
                    if (!refused) {
                        super.onHalfClose();
                    }
                }
            };
        }

        @Override
        public void sendHeaders(Metadata responseHeaders) {
            RegistryPath p = replyPath;
            if (p != null) {
                responseHeaders.put(TokenMetadata.PATH, p.toJson());
            }
            super.sendHeaders(responseHeaders);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            String key = ownerKey;
            if (key != null) {
                if (register && !status.isOk() && newClaim) {
                    owners.remove(key, claimant);
                } else if (!register && status.isOk()) {
                    owners.remove(key, claimant);
                }
            }
            super.close(status, trailers);
        }

        @SuppressWarnings("unchecked")
        private Q check(Q message) {
            String kind = message instanceof NetworkServiceEndpoint ? "endpoint" : "service";
            String name = message instanceof NetworkServiceEndpoint nse ? nse.getName()
                    : message instanceof NetworkService ns ? ns.getName() : "";
            Caller caller = Callers.of(getAttributes()).orElse(null);
            String peerToken = Optional.ofNullable(headers.get(TokenMetadata.TOKEN)).orElse("");
            Instant peerExpires = peerExpires();
            TokenMinter.Minted own = minter.mint(caller == null ? null : caller.spiffeId(),
                    Callers.presented(getAttributes()).orElse(null));
            Updated path = updatePath(incomingPath(), peerToken, own.token());

            List<PathPolicies.Segment> left = new ArrayList<>();
            for (int i = 0; i <= path.current(); i++) {
                left.add(new PathPolicies.Segment("", path.tokens().get(i)));
            }
            Optional<Refusal> refusal = PathPolicies.check(left, caller == null ? null : caller.certificate(), clock.instant());
            String registrant = PathToken.decode(path.tokens().getFirst()).flatMap(PathToken::subject)
                    .orElse(caller == null ? "" : caller.spiffeId());
            if (refusal.isEmpty()) {
                refusal = claim(kind, name, registrant);
            }
            if (refusal.isPresent()) {
                refusals.refused(refusal.get().policy());
                log.warn("event=registry-call-refused call={} {}={} caller={} policy={} reason=\"{}\"",
                        register ? "register" : "unregister", kind, name, caller == null ? "unknown" : caller.spiffeId(),
                        refusal.get().policy().policyName(), refusal.get().reason());
                throw refusal.get().toStatus();
            }
            replyPath = new RegistryPath(path.returnIndex(), path.tokens());
            if (message instanceof NetworkServiceEndpoint nse) {
                return (Q) endpoint(nse, path, peerToken, peerExpires, own);
            }
            return message;
        }

        private Optional<Refusal> claim(String kind, String name, String registrant) {
            String key = kind + "/" + name;
            String owner;
            if (register) {
                boolean[] created = {false};
                owner = owners.computeIfAbsent(key, k -> {
                    created[0] = true;
                    return registrant;
                });
                newClaim = created[0];
            } else {
                owner = owners.get(key);
            }
            if (owner != null && !owner.equals(registrant)) {
                return Optional.of(new Refusal(Policy.CLIENT_ALLOWED, "network " + kind + " '" + name + "' was registered by "
                        + owner + "; " + (registrant.isEmpty() ? "a caller without identity" : registrant) + " may not "
                        + (register ? "register" : "unregister") + " it"));
            }
            ownerKey = key;
            claimant = registrant;
            return Optional.empty();
        }

        private RegistryPath incomingPath() {
            String json = headers.get(TokenMetadata.PATH);
            if (json == null) {
                return RegistryPath.empty();
            }
            try {
                return RegistryPath.parse(json);
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
        }

        private Instant peerExpires() {
            String text = headers.get(TokenMetadata.EXPIRES);
            if (text == null) {
                return null;
            }
            try {
                return TokenMetadata.parseExpires(text);
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
        }
    }

    /** The path after this hop: its tokens, this hop's index, and the index to report back (the caller's). */
    record Updated(List<String> tokens, int current, int returnIndex) {}

    /** NSM's registry updatepath: a first call adds segments, a refresh replaces both tokens. */
    static Updated updatePath(RegistryPath path, String peerToken, String ownToken) {
        List<String> tokens = new ArrayList<>(path.tokens());
        if (tokens.isEmpty()) {
            return new Updated(List.of(peerToken, ownToken), 1, 0);
        }
        int index = path.index();
        if (index + 1 > tokens.size()) {
            throw Status.INVALID_ARGUMENT.withDescription("metadata path: Index " + index + " is past the last of "
                    + tokens.size() + " segments").asRuntimeException();
        }
        tokens.set(index, peerToken);
        if (index + 1 == tokens.size()) {
            tokens.add(ownToken);
        } else {
            tokens.set(index + 1, ownToken);
        }
        return new Updated(tokens, index + 1, index);
    }

    private NetworkServiceEndpoint endpoint(NetworkServiceEndpoint nse, Updated path, String peerToken, Instant peerExpires,
                                            TokenMinter.Minted own) {
        NetworkServiceEndpoint.Builder b = nse.toBuilder();
        Instant limit = own.expires();
        if (peerExpires != null && peerExpires.isBefore(limit)) {
            limit = peerExpires;
        }
        if (ProtoTime.isUnset(nse.getExpirationTime()) || ProtoTime.toInstant(nse.getExpirationTime()).isAfter(limit)) {
            b.setExpirationTime(ProtoTime.toTimestamp(limit));
        }
        List<String> ids = new ArrayList<>(nse.getPathIdsList());
        PathToken.decode(peerToken).flatMap(PathToken::subject).ifPresent(id -> setId(ids, path.current() - 1, id));
        setId(ids, path.current(), minter.ownId());
        return b.clearPathIds().addAllPathIds(ids).build();
    }

    private static void setId(List<String> ids, int index, String id) {
        if (index < 0) {
            return;
        }
        if (index >= ids.size()) {
            ids.add(id);
        } else {
            ids.set(index, id);
        }
    }
}
