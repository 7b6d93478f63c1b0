package io.ensm.core.observe;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.EndpointFence;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.ReadBack;
import io.ensm.core.spi.Verification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Times every operation of one endpoint's backend and counts its failures by kind, and keeps the
 * endpoint's {@link DeviceStates device state} from the outcomes. It must override every method of
 * {@link Backend}: an inherited default would run on the wrapper and bypass the backend's own.
 */
final class MeteredBackend implements Backend {
    /** Buckets from a fast local answer to a slow WAN box; fixed so series stay few per endpoint. */
    static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final Backend backend;
    private final String endpoint;
    private final String type;
    private final MeterRegistry registry;
    private final DeviceStates devices;

    MeteredBackend(Backend backend, String endpoint, String type, MeterRegistry registry, DeviceStates devices) {
        this.backend = backend;
        this.endpoint = endpoint;
        this.type = type;
        this.registry = registry;
        this.devices = devices;
        devices.known(endpoint, type);
    }

    /** The wrapped backend, for tests and for code that needs the backend's own type. */
    Backend unwrap() {
        return backend;
    }

    @Override
    public BackendCapabilities capabilities() {
        return backend.capabilities();
    }

    @Override
    public Attachment provision(ProvisionIntent intent) throws BackendException {
        return measure("provision", () -> backend.provision(intent));
    }

    @Override
    public void release(ProvisionIntent intent) throws BackendException {
        measure("release", () -> {
            backend.release(intent);
            return null;
        });
    }

    @Override
    public Verification verify(ProvisionIntent intent) throws BackendException {
        return measure("verify", () -> backend.verify(intent));
    }

    @Override
    public ReadBack readBack() throws BackendException {
        return measure("read-back", backend::readBack);
    }

    @Override
    public boolean servesSegments() {
        return backend.servesSegments();
    }

    @Override
    public boolean segmentsNeedFixedVlan() {
        return backend.segmentsNeedFixedVlan();
    }

    @Override
    public void joinSegment(ProvisionIntent intent) throws BackendException {
        measure("join-segment", () -> {
            backend.joinSegment(intent);
            return null;
        });
    }

    @Override
    public void leaveSegment(ProvisionIntent intent) throws BackendException {
        measure("leave-segment", () -> {
            backend.leaveSegment(intent);
            return null;
        });
    }

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        return measure("remove-orphans", () -> backend.removeOrphans(isKnown));
    }

    @Override
    public void fenceWith(EndpointFence fence) {
        backend.fenceWith(fence);
    }

    @Override
    public void takeOver(long token) throws BackendException {
        measure("take-over", () -> {
            backend.takeOver(token);
            return null;
        });
    }

    @Override
    public void close() {
        devices.forget(endpoint);
        backend.close();
    }

    private interface Operation<T> {
        T run() throws BackendException;
    }

    private <T> T measure(String operation, Operation<T> op) throws BackendException {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = op.run();
            outcome = "ok";
            devices.answered(endpoint, type);
            return result;
        } catch (BackendException e) {
            outcome = e.kind().name().toLowerCase(Locale.ROOT);
            devices.failed(endpoint, type, e);
            errors(operation, outcome).increment();
            throw e;
        } catch (RuntimeException e) {
            errors(operation, outcome).increment();
            throw e;
        } finally {
            Timer.builder("ensm.backend.operations")
                    .description("backend operations by endpoint, operation and outcome")
                    .tags("endpoint", endpoint, "backend", type, "operation", operation, "outcome", outcome)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private Counter errors(String operation, String kind) {
        return Counter.builder("ensm.backend.errors")
                .description("failed backend operations by endpoint, operation and kind")
                .tags("endpoint", endpoint, "backend", type, "operation", operation, "kind", kind)
                .register(registry);
    }
}
