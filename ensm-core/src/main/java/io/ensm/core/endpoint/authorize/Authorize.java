package io.ensm.core.endpoint.authorize;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.authz.PathPolicies;
import io.ensm.core.authz.Refusal;
import io.ensm.core.authz.RefusalListener;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Caller;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NSM's default endpoint authorization: the path up to ensm's segment must carry valid,
 * unexpired, chained tokens, and the previous segment's token must be signed by the caller's
 * certificate. A refusal is PERMISSION_DENIED naming the failed policy, counted by the listener,
 * and nothing below runs. Applies to Request and to a client's Close; closes ensm starts itself
 * (expiry, recovery) are not authorized.
 */
public final class Authorize implements Element {
    private final RefusalListener refusals;
    private final Clock clock;

    public Authorize(RefusalListener refusals, Clock clock) {
        this.refusals = refusals;
        this.clock = clock;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        check(request.getConnection(), chain.context());
        return chain.proceed(request);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        if (chain.context().cause() == CallContext.Cause.CLIENT) {
            check(connection, chain.context());
        }
        chain.proceedClose(connection);
    }

    private void check(Connection connection, CallContext context) {
        Path path = connection.getPath();
        List<PathPolicies.Segment> left = new ArrayList<>();
        for (int i = 0; i <= path.getIndex() && i < path.getPathSegmentsCount(); i++) {
            PathSegment s = path.getPathSegments(i);
            left.add(new PathPolicies.Segment(s.getName(), s.getToken()));
        }
        Caller caller = context.find(CallContext.CALLER).orElse(null);
        Optional<Refusal> refusal = PathPolicies.check(left, caller == null ? null : caller.certificate(), clock.instant());
        if (refusal.isPresent()) {
            refusals.refused(refusal.get().policy());
            throw refusal.get().toStatus();
        }
    }
}
