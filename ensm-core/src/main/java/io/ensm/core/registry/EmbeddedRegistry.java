package io.ensm.core.registry;

import io.grpc.BindableService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Both embedded registry services plus the expiry sweep: what the appliance serves when no external
 * registry URL is configured.
 */
public final class EmbeddedRegistry implements AutoCloseable {
    /** NSM's memory registry and nsmgr default. */
    public static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(1);
    /** Sweep often relative to the expiry so deleted events arrive close to the expiration time. */
    public static final Duration DEFAULT_SWEEP_PERIOD = Duration.ofSeconds(1);

    private final EmbeddedNetworkServiceRegistry networkServices = new EmbeddedNetworkServiceRegistry();
    private final EmbeddedEndpointRegistry endpoints;
    private ScheduledFuture<?> sweep;

    public EmbeddedRegistry(Clock clock, Duration defaultExpiry) {
        this.endpoints = new EmbeddedEndpointRegistry(clock, defaultExpiry);
    }

    public EmbeddedRegistry() {
        this(Clock.systemUTC(), DEFAULT_EXPIRY);
    }

    public EmbeddedNetworkServiceRegistry networkServices() {
        return networkServices;
    }

    public EmbeddedEndpointRegistry endpoints() {
        return endpoints;
    }

    /** The gRPC services to add to a server. */
    public List<BindableService> services() {
        return List.of(networkServices, endpoints);
    }

    /** Starts removing expired endpoints every {@code period} on {@code scheduler}. */
    public synchronized void startExpiry(ScheduledExecutorService scheduler, Duration period) {
        if (sweep != null) {
            throw new IllegalStateException("expiry already started");
        }
        long millis = Math.max(1, period.toMillis());
        sweep = scheduler.scheduleWithFixedDelay(endpoints::expireNow, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }
}
