package io.ensm.core.server;

import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Caller;
import io.ensm.core.tls.Callers;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Carries the gRPC call's metadata and peer into the chain's {@link CallContext}. Only ASCII
 * metadata is kept; NSM's tokens travel there. Over mutual TLS the peer is the caller's SPIFFE ID,
 * and the chain gets the caller's certificate as {@link CallContext#CALLER}.
 */
public final class CallContexts implements ServerInterceptor {
    private static final Context.Key<Map<String, String>> METADATA = Context.key("ensm-metadata");
    private static final Context.Key<String> PEER = Context.key("ensm-peer");
    private static final Context.Key<Caller> CALLER = Context.key("ensm-caller");
    private static final Context.Key<X509Certificate> PRESENTED = Context.key("ensm-presented");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Map<String, String> md = new HashMap<>();
        for (String key : headers.keys()) {
            if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX) && !key.startsWith(":")) {
                String v = headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
                if (v != null) {
                    md.put(key, v);
                }
            }
        }
        Object remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        Caller caller = Callers.of(call.getAttributes()).orElse(null);
        String peer = caller != null ? caller.spiffeId() : remote == null ? "" : remote.toString();
        Context ctx = Context.current().withValues(METADATA, md, PEER, peer, CALLER, caller)
                .withValue(PRESENTED, Callers.presented(call.getAttributes()).orElse(null));
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    /** The verified SPIFFE peer of the gRPC call running on this thread, when it came over mutual TLS. */
    public static java.util.Optional<Caller> caller() {
        return java.util.Optional.ofNullable(CALLER.get());
    }

    /** The chain context of the gRPC call running on this thread. */
    static CallContext current() {
        Map<String, String> md = METADATA.get();
        CallContext c = new CallContext(md == null ? Map.of() : md, PEER.get(), CallContext.Cause.CLIENT);
        Caller caller = CALLER.get();
        if (caller != null) {
            c.put(CallContext.CALLER, caller);
        }
        X509Certificate presented = PRESENTED.get();
        if (presented != null) {
            c.put(CallContext.PRESENTED, presented);
        }
        var deadline = Context.current().getDeadline();
        if (deadline != null) {
            c.put(CallContext.DEADLINE, Instant.now().plusMillis(deadline.timeRemaining(TimeUnit.MILLISECONDS)));
        }
        return c;
    }
}
