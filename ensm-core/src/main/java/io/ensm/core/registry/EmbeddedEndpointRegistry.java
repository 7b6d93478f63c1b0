package io.ensm.core.registry;

import com.google.protobuf.Empty;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceEndpointResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-memory {@code registry.NetworkServiceEndpointRegistry} for deployments without an external registry.
 *
 * <p>Like NSM's {@code expire} chain element, an endpoint lives until its expiration time: a request without
 * one gets now + default expiry, and a request asking for more than that is cut down to it, so a dead
 * client disappears within one default period. {@link #expireNow()} removes expired entries and announces
 * them as deleted; {@link EmbeddedRegistry} runs it on a schedule. Time comes from the injected clock.
 */
public final class EmbeddedEndpointRegistry
        extends NetworkServiceEndpointRegistryGrpc.NetworkServiceEndpointRegistryImplBase {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedEndpointRegistry.class);

    private final RegistryTable<NetworkServiceEndpoint> table = new RegistryTable<>();
    private final Clock clock;
    private final Duration defaultExpiry;

    public EmbeddedEndpointRegistry(Clock clock, Duration defaultExpiry) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (defaultExpiry.isZero() || defaultExpiry.isNegative()) {
            throw new IllegalArgumentException("default expiry must be positive: " + defaultExpiry);
        }
        this.defaultExpiry = defaultExpiry;
    }

    @Override
    public void register(NetworkServiceEndpoint request, StreamObserver<NetworkServiceEndpoint> responseObserver) {
        Instant now = clock.instant();
        try {
            RegistryValidation.validateEndpoint(request, now);
        } catch (StatusRuntimeException e) {
            log.warn("endpoint rejected name={} reason=\"{}\"", request.getName(), e.getStatus().getDescription());
            responseObserver.onError(e);
            return;
        }
        Instant expires = grantedExpiry(request, now);
        NetworkServiceEndpoint stored = table.upsert(request.getName(), previous -> {
            var initial = previous != null && !ProtoTime.isUnset(previous.getInitialRegistrationTime())
                    ? previous.getInitialRegistrationTime()
                    : ProtoTime.toTimestamp(now);
            if (previous == null) {
                log.info("endpoint registered name={} url={} services={} expires={}",
                        request.getName(), request.getUrl(), request.getNetworkServiceNamesList(), expires);
            } else {
                log.debug("endpoint refreshed name={} url={} expires={}", request.getName(), request.getUrl(), expires);
            }
            return request.toBuilder()
                    .setExpirationTime(ProtoTime.toTimestamp(expires))
                    .setInitialRegistrationTime(initial)
                    .build();
        });
        responseObserver.onNext(stored);
        responseObserver.onCompleted();
    }

    @Override
    public void find(NetworkServiceEndpointQuery request, StreamObserver<NetworkServiceEndpointResponse> responseObserver) {
        NetworkServiceEndpoint query = request.getNetworkServiceEndpoint();
        WatchStreams.serveFind(table, nse -> QueryMatcher.matches(query, nse), nse -> !isExpired(nse, clock.instant()),
                request.getWatch(),
                (nse, deleted) -> NetworkServiceEndpointResponse.newBuilder()
                        .setNetworkServiceEndpoint(nse).setDeleted(deleted).build(),
                responseObserver);
    }

    @Override
    public void unregister(NetworkServiceEndpoint request, StreamObserver<Empty> responseObserver) {
        try {
            RegistryValidation.validateName("network service endpoint name", request.getName());
        } catch (StatusRuntimeException e) {
            responseObserver.onError(e);
            return;
        }
        table.remove(request.getName())
                .ifPresent(nse -> log.info("endpoint unregistered name={} url={}", nse.getName(), nse.getUrl()));
        responseObserver.onNext(Empty.getDefaultInstance());
        responseObserver.onCompleted();
    }

    /** Removes every endpoint whose expiration time has passed, announcing each as deleted. */
    public int expireNow() {
        Instant now = clock.instant();
        List<NetworkServiceEndpoint> expired = table.removeIf(nse -> isExpired(nse, now));
        expired.forEach(nse -> log.info("endpoint expired name={} url={} expires={}",
                nse.getName(), nse.getUrl(), ProtoTime.toInstant(nse.getExpirationTime())));
        return expired.size();
    }

    /** Current endpoints, for diagnostics and tests. */
    public List<NetworkServiceEndpoint> snapshot() {
        return table.find(nse -> true);
    }

    /** Open watch streams; lets tests and health checks see that cancelled watches are released. */
    public int watchCount() {
        return table.watchCount();
    }

    public Duration defaultExpiry() {
        return defaultExpiry;
    }

    private Instant grantedExpiry(NetworkServiceEndpoint request, Instant now) {
        Instant limit = now.plus(defaultExpiry);
        if (ProtoTime.isUnset(request.getExpirationTime())) {
            return limit;
        }
        Instant asked = ProtoTime.toInstant(request.getExpirationTime());
        return asked.isBefore(limit) ? asked : limit;
    }

    private static boolean isExpired(NetworkServiceEndpoint nse, Instant now) {
        return !ProtoTime.isUnset(nse.getExpirationTime()) && !ProtoTime.toInstant(nse.getExpirationTime()).isAfter(now);
    }
}
