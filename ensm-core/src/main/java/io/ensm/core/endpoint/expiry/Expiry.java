package io.ensm.core.endpoint.expiry;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.updatetoken.UpdateToken;
import io.ensm.core.registry.ProtoTime;
import io.ensm.core.store.StoredConnection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Closes a connection when the caller's path segment expires, like NSM's timeout element. The
 * expiry is the caller's segment {@code expires} (capped at a maximum lifetime), or now plus a
 * default when the caller sent none; ensm's own segment gets the same expiry, or its token's expiry
 * when that comes first (see {@link UpdateToken}). A refresh re-arms
 * the timer. An expiry that fires after a refresh raced it is ignored.
 */
public final class Expiry implements Element {
    /** When the connection expires, for the store. */
    public static final CallContext.Key<Instant> EXPIRES = CallContext.Key.of("expires", Instant.class);

    private final ExpiryTimers timers;
    private final Clock clock;
    private final Duration defaultLifetime;
    private final Duration maxLifetime;

    public Expiry(ExpiryTimers timers, Clock clock, Duration defaultLifetime, Duration maxLifetime) {
        this.timers = timers;
        this.clock = clock;
        this.defaultLifetime = defaultLifetime;
        this.maxLifetime = maxLifetime;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Connection connection = request.getConnection();
        Path path = connection.getPath();
        int own = path.getIndex();
        Instant now = clock.instant();
        Instant expires = now.plus(defaultLifetime);
        if (own > 0) {
            PathSegment caller = path.getPathSegments(own - 1);
            if (caller.hasExpires()) {
                Instant asked = ProtoTime.toInstant(caller.getExpires());
                if (!asked.isAfter(now)) {
                    throw Failures.invalid("the caller's path segment '" + caller.getName() + "' expired at " + asked);
                }
                expires = asked;
            }
        }
        Instant cap = now.plus(maxLifetime);
        if (expires.isAfter(cap)) {
            expires = cap;
        }
        chain.context().put(EXPIRES, expires);
        // ensm's segment must not outlive its own path token, or the caller would refresh too late.
        Instant ownExpires = expires;
        Instant tokenExpires = chain.context().find(UpdateToken.OWN_TOKEN_EXPIRES).orElse(null);
        if (tokenExpires != null && tokenExpires.isBefore(ownExpires)) {
            ownExpires = tokenExpires;
        }
        Path withOwnExpiry = path.toBuilder()
                .setPathSegments(own, path.getPathSegments(own).toBuilder().setExpires(ProtoTime.toTimestamp(ownExpires)))
                .build();
        Connection reply = chain.proceed(request.toBuilder()
                .setConnection(connection.toBuilder().setPath(withOwnExpiry)).build());
        timers.arm(reply.getId(), expires);
        return reply;
    }

    @Override
    public void close(Connection connection, Chain chain) {
        if (chain.context().cause() == CallContext.Cause.EXPIRY) {
            StoredConnection known = chain.context().get(LoadKnown.KNOWN);
            if (known.expires().isAfter(clock.instant())) {
                // A refresh won the race with the timer, or the timer fired a moment early: keep
                // (or put back) the timer for the stored expiry so the connection still expires.
                timers.arm(known.id(), known.expires());
                return;
            }
        }
        chain.proceedClose(connection);
        timers.disarm(connection.getId());
    }
}
