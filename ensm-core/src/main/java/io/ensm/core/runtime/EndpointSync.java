package io.ensm.core.runtime;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.EndpointSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Keeps the endpoints of the endpoint sources (discovery) in the catalog and the registry:
 * <ul>
 * <li>a new endpoint gets its backend, its VLAN pool, a place in the catalog and a registration
 * (among replicas: it is contended, and the replica that takes its hold registers it);</li>
 * <li>one no longer found (or found with other settings) is withdrawn: no new connections, while
 * its connections go on;</li>
 * <li>a withdrawn endpoint without connections is removed and unregistered, at the earliest one
 * sync after it was withdrawn (so a Request that chose it just before cannot lose it);</li>
 * <li>a source that fails keeps everything as it was.</li>
 * </ul>
 * Syncs of all sources run on one thread, one at a time.
 */
public final class EndpointSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointSync.class);

    /**
     * Where endpoints are announced once the registry runs: published by a single ensm, contended
     * for by replicas (the holder publishes).
     */
    public interface Publication {
        void add(EndpointSpec spec);

        /** The endpoint left the catalog: unregistered by its holder, and no longer contended for. */
        void remove(String name);

        /** The endpoint is no longer found: it takes no new connections (a replica that does not hold it stops contending). */
        default void withdrawn(String name) {}

        /** The endpoint is found again as it was. */
        default void restored(String name) {}
    }

    /** One source with its name and how often it is asked. */
    public record Source(String name, EndpointSource source, Duration interval) {}

    /** What one sync did, for logs and tests. */
    public record Report(int found, int added, int withdrawn, int restored, int removed, boolean failed) {}

    private final List<Source> sources;
    private final Catalog catalog;
    private final Function<EndpointDefinition, ExposedEndpoint> factory;
    private final Consumer<ExposedEndpoint> registerPools;
    private final Predicate<String> hasConnections;
    /** per source: name -> the definition its endpoint was made from */
    private final Map<String, Map<String, EndpointDefinition>> exposed = new LinkedHashMap<>();
    /** per source: withdrawn names -> sync count at withdrawal */
    private final Map<String, Map<String, Long>> withdrawnAt = new LinkedHashMap<>();
    private final Set<String> warned = new HashSet<>();
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ensm-discovery").daemon().factory());
    private Publication publication;
    private long syncs;

    /**
     * @param factory        makes an endpoint's backend; IllegalArgumentException for bad settings
     * @param registerPools  registers the endpoint's VLAN pool; IllegalArgumentException on a conflict
     * @param hasConnections whether any stored connection is bound to the endpoint (among replicas:
     *                       any replica's)
     */
    public EndpointSync(List<Source> sources, Catalog catalog, Function<EndpointDefinition, ExposedEndpoint> factory,
                        Consumer<ExposedEndpoint> registerPools, Predicate<String> hasConnections) {
        this.sources = List.copyOf(sources);
        this.catalog = catalog;
        this.factory = factory;
        this.registerPools = registerPools;
        this.hasConnections = hasConnections;
        sources.forEach(s -> {
            exposed.put(s.name(), new LinkedHashMap<>());
            withdrawnAt.put(s.name(), new LinkedHashMap<>());
        });
    }

    /** Publishes changes from now on (the registry runs); what is in the catalog already was published with it. */
    public synchronized void attach(Publication p) {
        this.publication = p;
    }

    /** Syncs every source once, on the calling thread (at start, before recovery needs the endpoints). */
    public void syncAll() {
        sources.forEach(this::sync);
    }

    /** Syncs each source periodically on the discovery thread. */
    public void start() {
        for (Source s : sources) {
            long every = s.interval().toMillis();
            executor.scheduleWithFixedDelay(() -> {
                try {
                    sync(s);
                } catch (RuntimeException e) {
                    log.warn("event=discovery-sync-failed source={} reason=\"{}\"", s.name(), e.getMessage());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** One sync of one source. */
    public synchronized Report sync(Source s) {
        syncs++;
        Map<String, EndpointDefinition> mine = exposed.get(s.name());
        Map<String, Long> withdrawn = withdrawnAt.get(s.name());
        List<EndpointDefinition> found;
        try {
            found = s.source().discover(catalog.services().stream().map(ServiceSpec::name).collect(Collectors.toSet()));
        } catch (BackendException | RuntimeException e) {
            log.warn("event=discovery-failed source={} action=keep-endpoints reason=\"{}\"", s.name(), e.getMessage());
            int removed = drain(s, mine, withdrawn);
            return new Report(0, 0, 0, 0, removed, true);
        }
        Map<String, EndpointDefinition> desired = desired(s, found);
        int withdrew = 0, restored = 0, added = 0;
        for (Map.Entry<String, EndpointDefinition> e : mine.entrySet()) {
            EndpointDefinition want = desired.get(e.getKey());
            boolean keep = e.getValue().equals(want);
            if (!keep && !withdrawn.containsKey(e.getKey())) {
                catalog.withdraw(e.getKey());
                withdrawn.put(e.getKey(), syncs);
                withdrew++;
                if (publication != null) {
                    publication.withdrawn(e.getKey());
                }
                log.info("event=endpoint-withdrawn source={} endpoint={} reason=\"{}\"", s.name(), e.getKey(),
                        want == null ? "no longer found" : "found with other settings");
            } else if (keep && withdrawn.remove(e.getKey()) != null) {
                catalog.restore(e.getKey());
                restored++;
                if (publication != null) {
                    publication.restored(e.getKey());
                }
                log.info("event=endpoint-restored source={} endpoint={}", s.name(), e.getKey());
            }
        }
        for (EndpointDefinition d : desired.values()) {
            if (!mine.containsKey(d.spec().name()) && add(s, d)) {
                mine.put(d.spec().name(), d);
                added++;
            }
        }
        int removed = drain(s, mine, withdrawn);
        if (added + withdrew + restored + removed > 0) {
            log.info("event=discovery-synced source={} found={} added={} withdrawn={} restored={} removed={}",
                    s.name(), desired.size(), added, withdrew, restored, removed);
        }
        return new Report(desired.size(), added, withdrew, restored, removed, false);
    }

    /** Found endpoints for known services, first of each name. */
    private Map<String, EndpointDefinition> desired(Source s, List<EndpointDefinition> found) {
        Map<String, EndpointDefinition> desired = new LinkedHashMap<>();
        for (EndpointDefinition d : found) {
            String name = d.spec().name();
            if (catalog.service(d.spec().service()).isEmpty()) {
                warnOnce(s, name, "names unknown service '" + d.spec().service() + "'");
            } else if (desired.putIfAbsent(name, d) != null) {
                warnOnce(s, name, "is found twice; the first is used");
            }
        }
        return desired;
    }

    private boolean add(Source s, EndpointDefinition d) {
        String name = d.spec().name();
        if (catalog.endpoint(name).isPresent()) {
            warnOnce(s, name, "has the name of an endpoint that already exists");
            return false;
        }
        ExposedEndpoint e;
        try {
            e = factory.apply(d);
        } catch (IllegalArgumentException ex) {
            warnOnce(s, name, "cannot be made: " + ex.getMessage());
            return false;
        }
        try {
            registerPools.accept(e);
            catalog.add(e);
        } catch (IllegalArgumentException ex) {
            e.backend().close();
            warnOnce(s, name, "cannot be added: " + ex.getMessage());
            return false;
        }
        if (publication != null) {
            publication.add(d.spec());
        }
        log.info("event=endpoint-discovered source={} endpoint={} service={} backend={} labels={}",
                s.name(), name, d.spec().service(), d.backendType(), d.spec().labels());
        return true;
    }

    private int drain(Source s, Map<String, EndpointDefinition> mine, Map<String, Long> withdrawn) {
        int removed = 0;
        for (String name : List.copyOf(withdrawn.keySet())) {
            if (withdrawn.get(name) >= syncs || hasConnections.test(name)) {
                continue;
            }
            withdrawn.remove(name);
            mine.remove(name);
            catalog.remove(name).ifPresent(e -> {
                try {
                    e.backend().close();
                } catch (RuntimeException ex) {
                    log.warn("event=backend-close-failed endpoint={} reason=\"{}\"", name, ex.getMessage());
                }
            });
            if (publication != null) {
                publication.remove(name);
            }
            removed++;
            log.info("event=endpoint-removed source={} endpoint={} reason=\"withdrawn and without connections\"", s.name(), name);
        }
        return removed;
    }

    private void warnOnce(Source s, String name, String problem) {
        if (warned.add(s.name() + "/" + name + "/" + problem)) {
            log.warn("event=discovery-endpoint-skipped source={} endpoint={} reason=\"{} {}\"", s.name(), name, name, problem);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        for (Source s : sources) {
            try {
                s.source().close();
            } catch (RuntimeException e) {
                log.warn("event=source-close-failed source={} reason=\"{}\"", s.name(), e.getMessage());
            }
        }
    }
}
