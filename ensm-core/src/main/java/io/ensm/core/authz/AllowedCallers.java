package io.ensm.core.authz;

import io.ensm.core.chain.Caller;
import io.ensm.core.tls.Callers;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Lets only the configured SPIFFE IDs (and ensm itself, which calls its embedded registry) call
 * the services it guards; everyone else gets PERMISSION_DENIED naming the policy. An empty list
 * allows every caller that passed the TLS handshake.
 */
public final class AllowedCallers implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(AllowedCallers.class);

    private final Set<String> allowed;
    private final Supplier<String> ownId;
    private final RefusalListener refusals;

    public AllowedCallers(Set<String> allowed, Supplier<String> ownId, RefusalListener refusals) {
        this.allowed = Set.copyOf(allowed);
        this.ownId = ownId;
        this.refusals = refusals;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (allowed.isEmpty()) {
            return next.startCall(call, headers);
        }
        Optional<Caller> caller = Callers.of(call.getAttributes());
        String id = caller.map(Caller::spiffeId).orElse(null);
        if (id != null && (allowed.contains(id) || id.equals(ownId.get()))) {
            return next.startCall(call, headers);
        }
        Refusal refusal = new Refusal(Policy.ALLOWED_CALLERS, id == null
                ? "the caller presented no SPIFFE ID"
                : "caller " + id + " is not one of the allowed callers");
        refusals.refused(refusal.policy());
        log.warn("event=call-refused method={} caller={} policy={} reason=\"{}\"", call.getMethodDescriptor().getFullMethodName(),
                id == null ? "unknown" : id, refusal.policy().policyName(), refusal.reason());
        call.close(refusal.toStatus().getStatus(), new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
