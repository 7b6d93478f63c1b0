package io.ensm.core.registry;

import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.grpc.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a fixed set of network services and endpoints registered with an NSM registry, the way NSM's
 * registry client chain does: services first, then endpoints; each endpoint asks for {@code expiry} and is
 * refreshed at 2/3 of the time the registry granted; failures are retried with jittered backoff; a
 * {@code Find{name, watch=true}} stream per endpoint notices when the registry drops it (or the stream
 * breaks, e.g. on a registry restart) and triggers a re-registration, and so does a registration of
 * the same name with another URL (a replica that lost the endpoint without noticing yet). An endpoint
 * is registered only while {@code publishWhile} holds for it, checked before every call. {@link #close()} unregisters
 * everything within {@code closeTimeout}.
 *
 * <p>Registry calls block a scheduler thread for at most {@code callTimeout}; give it a thread or two.
 * The scheduler belongs to the caller and is not shut down here.
 */
public final class RegistryPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryPublisher.class);

    public static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(1);
    /** NSM's retry gives each try 15 s. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final List<Registration> services;
    private final List<Registration> endpoints;
    private final Registration.Settings registrationSettings;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration closeTimeout;
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private boolean started;
    private boolean closed;

    private RegistryPublisher(Builder b) {
        this.scheduler = b.scheduler;
        this.clock = b.clock;
        this.closeTimeout = b.closeTimeout;
        var settings = new Registration.Settings(b.channel, b.scheduler, b.clock, b.expiry, b.backoff, b.callTimeout,
                lastError::set, b.publishWhile);
        this.registrationSettings = settings;
        this.services = b.services.stream()
                .map(ns -> new Registration(new Registrant.Service(ns), settings)).toList();
        // endpoints found at run time come and go: addEndpoint / removeEndpoint
        this.endpoints = new java.util.concurrent.CopyOnWriteArrayList<>(b.endpoints.stream()
                .map(nse -> new Registration(new Registrant.Endpoint(nse), settings)).toList());
    }

    public static Builder builder(Channel channel, ScheduledExecutorService scheduler) {
        return new Builder(channel, scheduler);
    }

    /** Starts registering; returns at once. Services are tried before endpoints. */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "publisher closed" : "publisher already started");
        }
        started = true;
        log.info("registry publisher starting services={} endpoints={}",
                services.stream().map(Registration::name).toList(), endpoints.stream().map(Registration::name).toList());
        // one task keeps the order: every service gets its first try before any endpoint does
        scheduler.execute(() -> {
            services.forEach(Registration::start);
            endpoints.forEach(Registration::start);
        });
    }

    /**
     * Starts keeping one more endpoint registered (an endpoint found at run time). Its first
     * attempt runs on the scheduler; IllegalArgumentException when the name is already published.
     */
    public void addEndpoint(NetworkServiceEndpoint nse) {
        Registration r = new Registration(new Registrant.Endpoint(nse), registrationSettings);
        synchronized (this) {
            if (closed) {
                return;
            }
            if (endpoints.stream().anyMatch(e -> e.name().equals(nse.getName()))) {
                throw new IllegalArgumentException("endpoint '" + nse.getName() + "' is already published");
            }
            endpoints.add(r);
            if (!started) {
                return;
            }
        }
        log.info("registry publisher adding endpoint={}", nse.getName());
        scheduler.execute(r::start);
    }

    /**
     * Stops refreshing one endpoint and unregisters it, waiting at most {@code closeTimeout}; what
     * is left then expires in the registry. Returns false when it was not published.
     */
    public boolean removeEndpoint(String name) {
        Registration r;
        synchronized (this) {
            r = endpoints.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
            if (r == null) {
                return false;
            }
            endpoints.remove(r);
        }
        log.info("registry publisher removing endpoint={}", name);
        r.close(closeTimeout);
        return true;
    }

    /**
     * Stops refreshing one endpoint without unregistering it: another replica registered it (or
     * will) with its own URL, and an unregister now would remove that. Returns false when it was
     * not published.
     */
    public boolean forgetEndpoint(String name) {
        Registration r;
        synchronized (this) {
            r = endpoints.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
            if (r == null) {
                return false;
            }
            endpoints.remove(r);
        }
        log.info("registry publisher forgetting endpoint={}", name);
        r.close(Duration.ZERO);
        return true;
    }

    /** True when every service and endpoint is registered and not past the expiration the registry granted. */
    public boolean allRegistered() {
        return status().stream().allMatch(RegistrationStatus::registered);
    }

    /** The most recent failure of any registration, kept after recovery for diagnostics. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    /** Last successful refresh per endpoint name (services under {@code service/<name>}). */
    public Map<String, Instant> lastRefresh() {
        Map<String, Instant> out = new LinkedHashMap<>();
        for (RegistrationStatus s : status()) {
            String key = s.kind().equals("service") ? "service/" + s.name() : s.name();
            s.lastRefresh().ifPresent(t -> out.put(key, t));
        }
        return out;
    }

    public List<RegistrationStatus> status() {
        List<RegistrationStatus> out = new ArrayList<>();
        services.forEach(r -> out.add(r.status()));
        endpoints.forEach(r -> out.add(r.status()));
        return out;
    }

    /**
     * Stops refreshing and watching, then unregisters endpoints and then services, spending at most
     * {@code closeTimeout} in total; what is left unregistered then expires in the registry.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        List<Registration> order = new ArrayList<>(endpoints);
        order.addAll(services);
        for (Registration r : order) {
            r.close(Duration.ofNanos(deadline - System.nanoTime()));
        }
        log.info("registry publisher stopped at={}", clock.instant());
    }

    public static final class Builder {
        private final Channel channel;
        private final ScheduledExecutorService scheduler;
        private List<NetworkService> services = List.of();
        private List<NetworkServiceEndpoint> endpoints = List.of();
        private Duration expiry = DEFAULT_EXPIRY;
        private Clock clock = Clock.systemUTC();
        private Backoff backoff = Backoff.DEFAULT;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private java.util.function.Predicate<String> publishWhile = name -> true;

        private Builder(Channel channel, ScheduledExecutorService scheduler) {
            this.channel = Objects.requireNonNull(channel, "channel");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        }

        public Builder services(List<NetworkService> services) {
            this.services = List.copyOf(services);
            return this;
        }

        public Builder endpoints(List<NetworkServiceEndpoint> endpoints) {
            this.endpoints = List.copyOf(endpoints);
            return this;
        }

        public Builder expiry(Duration expiry) {
            this.expiry = positive("expiry", expiry);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = positive("callTimeout", callTimeout);
            return this;
        }

        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = positive("closeTimeout", closeTimeout);
            return this;
        }

        /**
         * Registers (and refreshes) an endpoint only while this says so for its name: a replica
         * publishes only what it holds, checked right before each call.
         */
        public Builder publishWhile(java.util.function.Predicate<String> publishWhile) {
            this.publishWhile = Objects.requireNonNull(publishWhile, "publishWhile");
            return this;
        }

        public RegistryPublisher build() {
            return new RegistryPublisher(this);
        }

        private static Duration positive(String what, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
