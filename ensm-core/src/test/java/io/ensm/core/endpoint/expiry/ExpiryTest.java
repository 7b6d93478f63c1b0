package io.ensm.core.endpoint.expiry;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.store.Phase;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Seed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static org.assertj.core.api.Assertions.assertThat;

class ExpiryTest {
    private static final Duration DEFAULT = Duration.ofMinutes(1);
    private static final Duration MAX = Duration.ofHours(1);
    private static final Instant NOW = MutableClock.START;

    private final MutableClock clock = new MutableClock();
    private final ExpiryTimers timers = new ExpiryTimers(clock);
    private final RecordingTail tail = new RecordingTail();
    private final Endpoint endpoint = new Endpoint(List.of(new Expiry(timers, clock, DEFAULT, MAX), tail));

    @AfterEach
    void stop() {
        timers.close();
    }

    /** A request as it arrives below UpdatePath: [nsc, own] at index 1, id = own id. */
    private static NetworkServiceRequest below(Instant callerExpires) {
        PathSegment.Builder nsc = PathSegment.newBuilder().setName(Requests.NSC).setId("nsc-1");
        if (callerExpires != null) {
            nsc.setExpires(io.ensm.core.registry.ProtoTime.toTimestamp(callerExpires));
        }
        Connection c = Requests.request().connection().toBuilder().setId("own-1")
                .setPath(Path.newBuilder().setIndex(1).addPathSegments(nsc)
                        .addPathSegments(PathSegment.newBuilder().setName("ensm-1").setId("own-1")))
                .build();
        return Requests.simple().toBuilder().setConnection(c).build();
    }

    private Instant ownExpiresBelow() {
        return io.ensm.core.registry.ProtoTime.toInstant(tail.lastRequest().getConnection().getPath().getPathSegments(1).getExpires());
    }

    @Test
    void callerSegmentExpiresIsUsed() {
        Instant asked = NOW.plusSeconds(300);
        endpoint.request(below(asked), CallContext.client());
        assertThat(tail.lastContext().get(Expiry.EXPIRES)).isEqualTo(asked);
    }

    @Test
    void defaultLifetimeWhenCallerSentNone() {
        endpoint.request(below(null), CallContext.client());
        assertThat(tail.lastContext().get(Expiry.EXPIRES)).isEqualTo(NOW.plus(DEFAULT));
    }

    @Test
    void callerExpiryIsCappedAtMaxLifetime() {
        endpoint.request(below(NOW.plus(Duration.ofDays(2))), CallContext.client());
        assertThat(tail.lastContext().get(Expiry.EXPIRES)).isEqualTo(NOW.plus(MAX));
    }

    @Test
    void expiredCallerSegmentIsRejected() {
        assertStatus(() -> endpoint.request(below(NOW.minusSeconds(1)), CallContext.client()), INVALID_ARGUMENT,
                "path segment 'nsc'", "expired");
        assertThat(tail.calls()).isZero();
        assertThat(timers.armed()).isZero();
    }

    @Test
    void ownSegmentGetsTheExpiry() {
        Instant asked = NOW.plusSeconds(300);
        endpoint.request(below(asked), CallContext.client());
        assertThat(ownExpiresBelow()).isEqualTo(asked);
    }

    @Test
    void ownSegmentAtIndexZeroGetsTheDefault() {
        Connection c = Connection.newBuilder().setId("own-1").setNetworkService("s")
                .setPath(Path.newBuilder().addPathSegments(PathSegment.newBuilder().setName("ensm-1").setId("own-1"))).build();
        endpoint.request(NetworkServiceRequest.newBuilder().setConnection(c).build(), CallContext.client());
        assertThat(io.ensm.core.registry.ProtoTime.toInstant(tail.lastRequest().getConnection().getPath().getPathSegments(0).getExpires()))
                .isEqualTo(NOW.plus(DEFAULT));
    }

    @Test
    void timerIsArmedAndReArmedByRefresh() {
        endpoint.request(below(NOW.plusSeconds(300)), CallContext.client());
        assertThat(timers.armed()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(100));
        endpoint.request(below(NOW.plusSeconds(400)), CallContext.client());
        assertThat(timers.armed()).isEqualTo(1);
    }

    @Test
    void failedRequestArmsNoTimer() {
        tail.failing(new IllegalStateException("downstream failed"));
        try {
            endpoint.request(below(NOW.plusSeconds(300)), CallContext.client());
        } catch (IllegalStateException expected) {
            // the failure itself is not under test
        }
        assertThat(timers.armed()).isZero();
    }

    private Endpoint knowing(Instant storedExpires) {
        return new Endpoint(List.of(Seed.with(LoadKnown.KNOWN, Fixtures.stored("own-1", Phase.APPLIED, storedExpires)),
                new Expiry(timers, clock, DEFAULT, MAX), tail));
    }

    @Test
    void expiryCloseOfConnectionRefreshedMeanwhileIsIgnored() {
        Endpoint e = knowing(NOW.plusSeconds(60));
        e.close(Connection.newBuilder().setId("own-1").build(), CallContext.internal(CallContext.Cause.EXPIRY));
        assertThat(tail.calls()).isZero();
    }

    @Test
    void expiryCloseThatFiredEarlyKeepsTheTimerArmed() {
        // A timer may fire a moment before the stored expiry (millisecond rounding, clock steps):
        // the close is ignored, so the timer must stay armed or the connection never expires.
        Endpoint e = knowing(NOW.plusNanos(500_000));
        e.close(Connection.newBuilder().setId("own-1").build(), CallContext.internal(CallContext.Cause.EXPIRY));
        assertThat(tail.calls()).isZero();
        assertThat(timers.armed()).isEqualTo(1);
    }

    @Test
    void expiryCloseOfExpiredConnectionProceedsAndDisarms() {
        endpoint.request(below(NOW.plusSeconds(60)), CallContext.client());
        clock.advance(Duration.ofSeconds(61));
        Endpoint e = knowing(NOW.plusSeconds(60));
        e.close(Connection.newBuilder().setId("own-1").build(), CallContext.internal(CallContext.Cause.EXPIRY));
        assertThat(tail.closes()).hasSize(1);
        assertThat(timers.armed()).isZero();
    }

    @Test
    void clientCloseProceedsAndDisarms() {
        endpoint.request(below(NOW.plusSeconds(300)), CallContext.client());
        assertThat(timers.armed()).isEqualTo(1);
        endpoint.close(Connection.newBuilder().setId("own-1").build(), CallContext.client());
        assertThat(tail.closes()).hasSize(1);
        assertThat(timers.armed()).isZero();
    }

    @Test
    void failedCloseKeepsTheTimer() {
        endpoint.request(below(NOW.plusSeconds(300)), CallContext.client());
        tail.failing(new IllegalStateException("release failed"));
        try {
            endpoint.close(Connection.newBuilder().setId("own-1").build(), CallContext.client());
        } catch (IllegalStateException expected) {
            // the failure itself is not under test
        }
        assertThat(timers.armed()).isEqualTo(1);
    }
}
