package io.ensm.core.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.ensm.core.alloc.AddressPool;
import io.ensm.core.alloc.ClaimingAllocator;
import io.ensm.core.alloc.Claims;
import io.ensm.core.alloc.PoolAllocator;
import io.ensm.core.endpoint.allocate.Allocator;
import io.ensm.core.alloc.VlanPools;
import io.ensm.core.alloc.VniPool;
import io.ensm.core.authz.AllowedCallers;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.monitor.ConnectionMonitor;
import io.ensm.core.endpoint.monitor.ConnectionOwners;
import io.ensm.core.endpoint.monitor.MonitorAuthorization;
import io.ensm.core.endpoint.monitor.MonitorConnectionService;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.provision.Segments;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.identity.SvidInfo;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.observe.DeviceStates;
import io.ensm.core.observe.EnsmMeters;
import io.ensm.core.recovery.OrphanFilter;
import io.ensm.core.recovery.Reconciler;
import io.ensm.core.registry.EmbeddedRegistry;
import io.ensm.core.registry.RegistryPublisher;
import io.ensm.core.registry.authorize.RegistryAuthorization;
import io.ensm.core.server.CallContexts;
import io.ensm.core.server.NetworkServiceService;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.EndpointFence;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.Persistence;
import io.ensm.core.store.StoreOpener;
import io.ensm.core.replica.Ownership;
import io.ensm.core.replica.ServedEndpoints;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.tls.MtlsCredentials;
import io.ensm.core.token.TokenCredentials;
import io.ensm.core.token.TokenMinter;
import io.grpc.BindableService;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * ensm assembled: store, pools, backends, the endpoint chain in the order a request flows, the
 * reconciler, the gRPC server and the registry. Start-up order matters: recovery finishes before
 * the port opens, so no caller sees a half-recovered state; shutdown unregisters first, so
 * managers stop sending before the port closes, then refuses new work and waits (bounded) for the
 * work in flight before it closes backends and the store.
 */
public final class EnsmRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnsmRuntime.class);
    /**
     * How long a reconciliation pass waits for a connection's lock: a connection a Request or
     * Close holds longer is looked at again by the next pass, and the pass goes on meanwhile.
     */
    static final java.time.Duration PASS_LOCK_WAIT = java.time.Duration.ofSeconds(1);

    private final EnsmSettings settings;
    private final EnsmMeters meters;
    private final Persistence persistence;
    private final ServedEndpoints served;
    /**
     * Hand-overs of endpoints between replicas after start, one at a time, off the store's own
     * threads: adopting an endpoint reads its device, which may be slow.
     */
    private volatile boolean serving;
    /** Set first thing at shutdown: holds given up then need no hand-over work here. */
    private volatile boolean stopping;
    /** The fence of the latest hold taken on each endpoint, kept after a loss (see EndpointFence). */
    private final Map<String, Long> latestFence = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService handovers = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("ensm-handover").daemon().factory());
    private final ConnectionTable table;
    /** Present when replicas share the store: allocations are claimed cluster-wide. */
    private final ClaimingAllocator claiming;
    private final Catalog catalog;
    private final ExpiryTimers timers;
    private final ConnectionMonitor monitor;
    private final ConnectionOwners owners;
    private final SerializeById serializer;
    private final Endpoint endpoint;
    private final Reconciler reconciler;
    private final Reconciler.Report recovery;
    private final HealthStatusManager health = new HealthStatusManager();
    /** Reconciliation passes, which may wait long on slow boxes. */
    private final ScheduledExecutorService scheduler;
    /** Registry refreshes and the embedded registry's expiry, never behind a slow pass. */
    private final ScheduledExecutorService registryScheduler;
    private final ExecutorService callExecutor = Executors.newVirtualThreadPerTaskExecutor();
    /** NSM calls, expiry closes and reconcile passes in flight; closed first at shutdown. */
    private final Drain drain = new Drain();
    private final EmbeddedRegistry embeddedRegistry;
    private final Server server;
    private final Security security;
    private final TokenMinter minter;
    private final EndpointSync sync;
    private RegistryPublisher publisher;
    private ManagedChannel registryChannel;

    /**
     * How the runtime reaches out and lets callers in. With {@code security} (mutual TLS), the
     * chain also takes in and signs path tokens and authorizes every call, the embedded registry
     * does the same, and the registry client sends tokens; without it everything is plaintext.
     */
    public record Transport(ServerCredentials server, ChannelCredentials client, List<ServerInterceptor> interceptors,
                            Security security) {
        public Transport {
            interceptors = List.copyOf(interceptors);
        }

        public Transport(ServerCredentials server, ChannelCredentials client, List<ServerInterceptor> interceptors) {
            this(server, client, interceptors, null);
        }

        public static Transport plaintext(List<ServerInterceptor> interceptors) {
            return new Transport(io.grpc.InsecureServerCredentials.create(), io.grpc.InsecureChannelCredentials.create(), interceptors);
        }

        /** Mutual TLS with the SPIFFE identity, path tokens and authorization. */
        public static Transport mtls(Security security, List<ServerInterceptor> interceptors) {
            return new Transport(MtlsCredentials.server(security.identity()), MtlsCredentials.client(security.identity()),
                    interceptors, security);
        }
    }

    private EnsmRuntime(EnsmSettings settings, StoreOpener storeOpener, Transport transport, Clock clock,
                        MeterRegistry registry) {
        this.settings = settings;
        this.meters = new EnsmMeters(registry, clock);
        this.security = transport.security();
        this.minter = security == null ? null : minter(security, clock);
        Map<String, io.ensm.core.spi.BackendProvider> providers = Backends.providers();
        io.ensm.core.spi.Owner owner = settings.owner();
        java.util.function.Function<String, io.ensm.core.model.Segment> segmentOf = service -> settings.services().stream()
                .filter(s -> s.name().equals(service)).findFirst().map(ServiceSpec::segment).orElse(null);
        List<ExposedEndpoint> endpoints = Backends.create(providers, settings.endpoints(), owner, meters, segmentOf);
        Forwarder forwarder = Backends.forwarder(settings.forwarderType(), settings.forwarderSettings(), owner);
        List<EndpointSync.Source> sources = new ArrayList<>();
        VlanPools vlanPools = new VlanPools();
        PoolAllocator pools;
        Persistence opened = null;
        // Everything up to here is undone in one place when a setting or the store refuses to start.
        try {
            this.catalog = new Catalog(settings.services(), endpoints, forwarder);
            for (int i = 0; i < settings.sources().size(); i++) {
                SourceDefinition d = settings.sources().get(i);
                sources.add(new EndpointSync.Source(d.name(), Backends.source(d, "discovery[" + i + "] (" + d.name() + ")", owner), d.interval()));
            }
            pools = allocator(settings, endpoints, vlanPools);
            refuseSegmentsThroughForwarder(settings.services(), endpoints, settings.forwarderType(), forwarder);
            Ownership.Replica self = new Ownership.Replica(settings.replica(), settings.advertisedUrl());
            opened = storeOpener.open(self, registry, clock);
            if (!opened.ownership().sole()) {
                refuseForReplicas(settings);
            }
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            sources.forEach(x -> x.source().close());
            closeAll(endpoints, forwarder);
            throw e;
        }
        this.persistence = opened;
        meters.pools(pools::usage);
        Ownership ownership = persistence.ownership();
        this.served = new ServedEndpoints(ownership);
        this.claiming = persistence.claims() == Claims.NONE ? null : new ClaimingAllocator(pools, persistence.claims());
        Allocator allocator = claiming == null ? pools : claiming;
        meters.served(() -> (int) catalog.endpoints().stream().filter(e -> served.serves(e.name())).count());
        ConnectionStore store = persistence.connections();
        this.table = new ConnectionTable(store, clock);
        meters.store(() -> table.writeFailure().isEmpty());
        meters.refreshBacklog(table::refreshBacklog);
        this.timers = ExpiryTimers.following(table, clock);
        this.monitor = new ConnectionMonitor(this::monitorSnapshot);
        meters.monitorBacklog(monitor::backlogHighWater);
        this.owners = new ConnectionOwners(table);
        // NSM clients give up after 15 s; waiting twice that for a busy connection is enough.
        this.serializer = new SerializeById(java.time.Duration.ofSeconds(30));
        Provisioner provisioner = new Provisioner(forwarder, Segments.of(catalog::service, table));
        this.endpoint = RequestChain.assemble(new RequestChain.Parts(settings.name(), security, minter, clock, table,
                serializer, timers, settings.defaultLifetime(), settings.maxLifetime(), monitor, owners, catalog,
                new LabelMatchChooser(clock), allocator, settings.defaultMtu(), provisioner, StepProbes.load(), served));
        timers.onExpiry(this::expire);
        this.reconciler = new Reconciler(table, catalog, allocator, provisioner, timers, clock, this::expire,
                (id, work) -> serializer.exclusive(id, PASS_LOCK_WAIT, work),
                OrphanFilter.decide(settings.orphans(), store.hasHeldConnections()));
        // discovered endpoints first: recovery needs the endpoints (and VLAN pools) of stored connections
        this.sync = new EndpointSync(sources, catalog,
                d -> {
                    ExposedEndpoint found = Backends.createOne(providers, d, "discovered endpoint " + d.spec().name(), owner, meters,
                            segmentOf);
                    if (!ownership.sole()) {
                        fence(found);
                    }
                    return found;
                },
                e -> {
                    registerPool(vlanPools, e);
                    meters.refreshPools();
                },
                this::hasConnections);
        sync.syncAll();
        reconciler.holding(served::serves);
        long recoveryStart = System.nanoTime();
        if (ownership.sole()) {
            this.recovery = reconciler.startup();
            // The only replica holds everything from the start: nothing to hand over.
            ownership.start(catalog.endpoints().stream().map(ExposedEndpoint::name).toList(), new Ownership.Listener() {
                @Override
                public void acquired(Ownership.Hold hold) {}

                @Override
                public void lost(String endpoint, String reason) {}
            });
        } else {
            // Discovered endpoints were fenced as they were made.
            endpoints.forEach(this::fence);
            // Holds taken at start are adopted before the port opens; later ones while serving.
            Reconciler.Report[] total = {new Reconciler.Report(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)};
            ownership.start(catalog.endpoints().stream().map(ExposedEndpoint::name).toList(), new Ownership.Listener() {
                @Override
                public void acquired(Ownership.Hold hold) {
                    latestFence.merge(hold.endpoint(), hold.fence(), Math::max);
                    if (stopping) {
                        return;
                    }
                    if (serving) {
                        handovers.execute(() -> adopt(hold));
                        return;
                    }
                    Reconciler.Report r = adopt(hold);
                    if (r != null) {
                        total[0] = sum(total[0], r);
                    }
                }

                @Override
                public void lost(String endpoint, String reason) {
                    // At once: no call for it may pass from now on.
                    served.notReady(endpoint);
                    if (stopping) {
                        return;
                    }
                    if (serving) {
                        handovers.execute(() -> letGo(endpoint, reason));
                    } else {
                        letGo(endpoint, reason);
                    }
                }
            });
            this.recovery = total[0];
        }
        meters.reconcilePass("startup", java.time.Duration.ofNanos(System.nanoTime() - recoveryStart), recovery);

        this.scheduler = Executors.newScheduledThreadPool(1, Thread.ofPlatform().name("ensm-maintenance").daemon().factory());
        // Two threads: a registry call may block one for its call timeout.
        this.registryScheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().name("ensm-registry-", 0).daemon().factory());
        this.embeddedRegistry = settings.embeddedRegistry() ? new EmbeddedRegistry(clock, settings.registryExpiry()) : null;
        this.server = startServer(transport, clock);
        startRegistry(transport, clock);
        sync.attach(new EndpointSync.Publication() {
            @Override
            public void add(io.ensm.core.model.EndpointSpec spec) {
                if (ownership.sole()) {
                    publisher.addEndpoint(RegistryModels.endpoint(spec, settings.advertisedUrl()));
                }
                // Replicas contend for it: the one that takes the hold adopts and publishes it.
                ownership.add(spec.name());
            }

            @Override
            public void remove(String name) {
                // The holder unregisters it; a replica that does not hold it has nothing registered.
                if (served.serves(name)) {
                    publisher.removeEndpoint(name);
                } else {
                    publisher.forgetEndpoint(name);
                }
                ownership.remove(name);
            }

            @Override
            public void withdrawn(String name) {
                // Its holder keeps it while it has connections (also through a spell of uncertain
                // lease: the owner key is still its own); the others must not take it meanwhile.
                boolean ours = ownership.servedBy(name).map(r -> r.name().equals(ownership.self().name())).orElse(false);
                if (!ours) {
                    ownership.remove(name);
                }
            }

            @Override
            public void restored(String name) {
                ownership.add(name);
            }
        });
        sync.start();
        serving = true;
        long every = settings.reconcileInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::reconcileQuietly, every, every, TimeUnit.MILLISECONDS);
        log.info("event=ensm-started name={} listen={} url={} registry={} services={} endpoints={} connections={} tls={}",
                settings.name(), server.getListenSockets(), settings.advertisedUrl(),
                settings.embeddedRegistry() ? "embedded" : settings.registryUrl(),
                settings.services().size(), catalog.endpoints().size(), table.size(),
                security == null ? "off" : "mtls spiffe_id=" + security.identity().current().spiffeId());
    }

    /** Starts ensm; throws IllegalArgumentException for a bad setting and IllegalStateException when it cannot start. */
    public static EnsmRuntime start(EnsmSettings settings, Function<Path, ConnectionStore> storeFactory, Transport transport, Clock clock) {
        return new EnsmRuntime(settings, StoreOpener.sole(settings.dataDir(), storeFactory), transport, clock, new SimpleMeterRegistry());
    }

    /** As {@link #start(EnsmSettings, Function, Transport, Clock)}, keeping ensm's meters on {@code registry}. */
    public static EnsmRuntime start(EnsmSettings settings, Function<Path, ConnectionStore> storeFactory, Transport transport, Clock clock,
                                    MeterRegistry registry) {
        return new EnsmRuntime(settings, StoreOpener.sole(settings.dataDir(), storeFactory), transport, clock, registry);
    }

    /**
     * Starts ensm on the store {@code opener} opens: its own file, or a store it shares with other
     * replicas of its cluster, which then decides which endpoints this replica serves.
     */
    public static EnsmRuntime launch(EnsmSettings settings, StoreOpener opener, Transport transport, Clock clock, MeterRegistry registry) {
        return new EnsmRuntime(settings, opener, transport, clock, registry);
    }

    /** What a replica on a shared store cannot do (yet), refused at start naming the setting. */
    private static void refuseForReplicas(EnsmSettings settings) {
        String problem = null;
        if (settings.embeddedRegistry()) {
            problem = "ensm.registry-url: replicas on a shared store need an external NSM registry; the embedded registry"
                    + " serves a single ensm only (set ensm.registry-url, or use ensm.store.type=sqlite)";
        } else if (settings.advertisedUrl() == null || settings.advertisedUrl().isBlank()) {
            problem = "ensm.advertised-url: each replica registers its endpoints with its own URL; set it";
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Backends that keep a token on the far side check each write against the latest hold's. */
    private void fence(ExposedEndpoint e) {
        String name = e.name();
        e.backend().fenceWith(() -> {
            Long f = latestFence.get(name);
            return java.util.OptionalLong.of(f == null ? EndpointFence.NEVER_HELD : f);
        });
    }

    /**
     * Whether a discovered endpoint that is no longer found must stay: while it has connections.
     * The holder knows its own; another replica keeps it while a replica holds it (its holder
     * decides) or, with no holder now (it died), while the store has records of it: then it
     * contends for it again, so that one replica takes the connections over and ends them.
     */
    private boolean hasConnections(String endpoint) {
        if (served.serves(endpoint) || ownership().sole()) {
            return table.all().stream().anyMatch(c -> c.endpoint().equals(endpoint));
        }
        if (ownership().hold(endpoint).isPresent() || served.servedBy(endpoint).isPresent()) {
            return true;
        }
        if (table.storedFor(endpoint)) {
            ownership().add(endpoint);
            return true;
        }
        return false;
    }

    /** Serves an endpoint this replica now holds: its connections loaded and verified first, then registered. */
    private Reconciler.Report adopt(Ownership.Hold hold) {
        String name = hold.endpoint();
        ExposedEndpoint e = catalog.endpoint(name).orElse(null);
        if (e == null) {
            return null;
        }
        if (ownership().hold(name).isEmpty()) {
            return null; // lost again before its turn came
        }
        try {
            e.backend().takeOver(hold.fence());
        } catch (BackendException ex) {
            // Not fatal: the backend writes the token with its first write instead.
            log.warn("event=endpoint-fence-unwritten endpoint={} fence={} kind={} error=\"{}\"", name, hold.fence(),
                    ex.kind(), ex.getMessage());
        }
        Reconciler.Report r = reconciler.adopt(name);
        served.ready(name);
        if (publisher != null) {
            try {
                publisher.addEndpoint(RegistryModels.endpoint(e.spec(), settings.advertisedUrl()));
            } catch (IllegalArgumentException alreadyPublished) {
                // Taken back before the hand-over finished: the registration kept running.
            }
        }
        log.info("event=endpoint-held endpoint={} fence={} connections={}", name, hold.fence(), r.loaded());
        return r;
    }

    /** Stops serving an endpoint another replica now holds, leaving its device and records as they are. */
    private void letGo(String endpoint, String reason) {
        served.notReady(endpoint);
        if (publisher != null) {
            // No unregister: the registration is the new holder's now.
            publisher.forgetEndpoint(endpoint);
        }
        List<StoredConnection> dropped = reconciler.letGo(endpoint);
        // NSM's heal re-requests a connection its endpoint's monitor calls DOWN, through the registry,
        // which names the new holder: nothing else tells a caller that an endpoint moved between live
        // replicas, and its forwarder would keep sending to this replica's VXLAN end.
        dropped.stream().filter(c -> c.connection() != null && c.connection().length > 0).map(EnsmRuntime::parse)
                .forEach(c -> monitor.updated(c.toBuilder().setState(io.ensm.api.connection.State.DOWN).build()));
        log.warn("event=endpoint-lost endpoint={} connections={} reason=\"{}\"", endpoint, dropped.size(), reason);
    }

    private static Reconciler.Report sum(Reconciler.Report a, Reconciler.Report b) {
        return new Reconciler.Report(a.loaded() + b.loaded(), a.verified() + b.verified(), a.repaired() + b.repaired(),
                a.rolledForward() + b.rolledForward(), a.rolledBack() + b.rolledBack(), a.released() + b.released(),
                a.expired() + b.expired(), a.failed() + b.failed(), a.busy() + b.busy(), a.orphansRemoved() + b.orphansRemoved());
    }

    private static TokenMinter minter(Security security, Clock clock) {
        try {
            return new TokenMinter(security.identity(), security.maxTokenLifetime(), clock);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: " + e.getMessage(), e);
        }
    }

    private static void registerPool(VlanPools vlans, ExposedEndpoint e) {
        var caps = e.backend().capabilities();
        if (caps.needsVlan()) {
            vlans.register(caps.vlanPool(), caps.vlans());
        }
    }

    private static PoolAllocator allocator(EnsmSettings settings, List<ExposedEndpoint> endpoints, VlanPools vlans) {
        Map<String, AddressPool> pools = new HashMap<>();
        List<ServiceSpec> segments = new ArrayList<>();
        for (int i = 0; i < settings.services().size(); i++) {
            ServiceSpec s = settings.services().get(i);
            if (s.isSegment()) {
                segments.add(s);
            } else if (!s.cidrs().isEmpty()) {
                pools.put(s.name(), new AddressPool(s.name(), s.cidrs()));
            }
        }
        for (ExposedEndpoint e : endpoints) {
            try {
                registerPool(vlans, e);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("endpoint '" + e.name() + "': " + ex.getMessage());
            }
        }
        refuseVnisBeyondTheBoxes(settings.vniLast(), endpoints);
        PoolAllocator allocator;
        try {
            allocator = new PoolAllocator(pools, segments, vlans, new VniPool(settings.vniFirst(), settings.vniLast()));
        } catch (PoolAllocator.InvalidSegment e) {
            List<String> names = settings.services().stream().map(ServiceSpec::name).toList();
            throw new IllegalArgumentException("ensm.services[" + names.indexOf(e.service()) + "].segment: " + e.getMessage(), e);
        }
        for (int i = 0; i < settings.services().size(); i++) {
            ServiceSpec s = settings.services().get(i);
            for (ExposedEndpoint e : endpoints) {
                if (s.isSegment() && e.spec().service().equals(s.name()) && !e.backend().servesSegments()) {
                    throw new IllegalArgumentException("ensm.services[" + i + "].segment: endpoint '" + e.name()
                            + "' of service " + s.name() + " has a backend that does not serve shared segments");
                }
                if (s.isSegment() && e.spec().service().equals(s.name()) && s.segment().vlanId() == 0
                        && e.backend().segmentsNeedFixedVlan()) {
                    throw new IllegalArgumentException("ensm.services[" + i + "].segment.vlan: endpoint '" + e.name()
                            + "' of service " + s.name() + " writes nothing to its box, so the segment needs the fixed VLAN"
                            + " the box is configured with (not 0, a VLAN from the pool)");
                }
            }
        }
        return allocator;
    }

    /** A box terminating VXLAN would refuse the pool's top VNIs on some connection: refused at start instead. */
    static void refuseVnisBeyondTheBoxes(int vniLast, List<ExposedEndpoint> endpoints) {
        for (ExposedEndpoint e : endpoints) {
            if (vniLast > VniPool.MAX_DEVICE_VNI && e.backend().capabilities().plans().contains(PlanKind.DEVICE_VXLAN)) {
                throw new IllegalArgumentException("ensm.vni.last: " + vniLast + " is above " + VniPool.MAX_DEVICE_VNI
                        + ", the highest VNI the box of endpoint '" + e.name() + "' (plan device-vxlan) takes");
            }
        }
    }

    /**
     * A segment's connections through a forwarder that makes one cross-connect each would put the
     * same attachment under every one of them: refused unless the forwarder serves segments.
     */
    static void refuseSegmentsThroughForwarder(List<ServiceSpec> services, List<ExposedEndpoint> endpoints, String forwarderType,
                                               Forwarder forwarder) {
        if (forwarder == null || forwarder.servesSegments()) {
            return;
        }
        for (int i = 0; i < services.size(); i++) {
            ServiceSpec s = services.get(i);
            for (ExposedEndpoint e : endpoints) {
                if (s.isSegment() && e.spec().service().equals(s.name())
                        && e.backend().capabilities().plans().contains(io.ensm.core.model.PlanKind.FORWARDER_VXLAN)) {
                    throw new IllegalArgumentException("ensm.services[" + i + "].segment: endpoint '" + e.name() + "' of service "
                            + s.name() + " offers the forwarder-vxlan plan and the " + forwarderType
                            + " forwarder does not serve shared segments");
                }
            }
        }
    }

    private Server startServer(Transport transport, Clock clock) {
        List<BindableService> services = new ArrayList<>(List.of(
                new NetworkServiceService(endpoint),
                security == null ? new MonitorConnectionService(monitor)
                        : new MonitorConnectionService(monitor,
                        MonitorAuthorization.enforced(owners, security.monitorAllCallers(), minter::ownId), security.refusals())));
        if (embeddedRegistry != null) {
            services.addAll(embeddedRegistry.services());
        }
        var builder = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(settings.listen(), transport.server())
                .executor(callExecutor)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        // The first interceptor in the list runs last: authorization sits closest to the service,
        // so the transport's interceptors (metrics) see its refusals.
        List<ServerInterceptor> interceptors = new ArrayList<>();
        if (security != null) {
            interceptors.add(new AllowedCallers(security.allowedCallers(), minter::ownId, security.refusals()));
        }
        interceptors.addAll(transport.interceptors());
        interceptors.add(new CallContexts());
        List<ServerInterceptor> registryInterceptors = new ArrayList<>(interceptors);
        if (security != null) {
            registryInterceptors.addFirst(new RegistryAuthorization(minter, security.refusals(), clock));
        }
        // Closest to the NSM service, so that metrics see the refusals of a shutdown too.
        List<ServerInterceptor> nsmInterceptors = new ArrayList<>(interceptors);
        nsmInterceptors.addFirst(new DrainInterceptor(drain));
        for (BindableService s : services) {
            boolean registry = embeddedRegistry != null && embeddedRegistry.services().contains(s);
            builder.addService(ServerInterceptors.intercept(s, registry ? registryInterceptors
                    : s instanceof NetworkServiceService ? nsmInterceptors : interceptors));
            health.setStatus(s.bindService().getServiceDescriptor().getName(), HealthCheckResponse.ServingStatus.SERVING);
        }
        builder.addService(health.getHealthService());
        builder.addService(ProtoReflectionServiceV1.newInstance());
        try {
            return builder.build().start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + settings.listen() + ": " + e.getMessage(), e);
        }
    }

    private void startRegistry(Transport transport, Clock clock) {
        if (embeddedRegistry != null) {
            embeddedRegistry.startExpiry(registryScheduler, java.time.Duration.ofSeconds(1));
        }
        String target = settings.embeddedRegistry() ? selfTarget(settings.listen().getAddress(), port()) : stripScheme(settings.registryUrl());
        ChannelCredentials credentials = security == null ? transport.client()
                : CompositeChannelCredentials.create(transport.client(), TokenCredentials.forRegistry(minter));
        registryChannel = Grpc.newChannelBuilder(target, credentials).build();
        if (security != null) {
            // Open connections keep the certificate they started with; after a rotation, new
            // registry calls should handshake with the new SVID before the old one expires.
            ManagedChannel channel = registryChannel;
            security.identity().onRotation(svid -> channel.enterIdle());
        }
        publisher = RegistryPublisher.builder(registryChannel, registryScheduler)
                .services(settings.services().stream().map(RegistryModels::service).toList())
                .endpoints(catalog.endpoints().stream().filter(e -> served.serves(e.name()))
                        .map(e -> RegistryModels.endpoint(e.spec(), settings.advertisedUrl())).toList())
                .expiry(settings.registryExpiry())
                .clock(clock)
                .publishWhile(served::serves)
                .build();
        publisher.start();
        meters.registrations(publisher::status);
    }

    /**
     * Where ensm reaches its own embedded registry: loopback when it listens on every address (or
     * on loopback), else the one address it listens on.
     */
    static String selfTarget(java.net.InetAddress listen, int port) {
        if (listen == null || listen.isAnyLocalAddress() || listen.isLoopbackAddress()) {
            return (listen instanceof java.net.Inet6Address && !listen.isAnyLocalAddress() ? "[::1]:" : "127.0.0.1:") + port;
        }
        String host = listen.getHostAddress();
        return (listen instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    private static String stripScheme(String url) {
        int i = url.indexOf("://");
        return i < 0 ? url : url.substring(i + 3);
    }

    private void expire(String id) {
        if (!drain.enter()) {
            log.info("event=expiry-deferred connection={} reason=\"shutting down; closed at the next start\"", id);
            return;
        }
        try {
            table.get(id).ifPresent(c -> endpoint.close(parse(c), CallContext.internal(CallContext.Cause.EXPIRY)));
        } finally {
            drain.exit();
        }
    }

    /**
     * Claims no record explains go once two sweeps at least this far apart found them so: longer
     * than any Request spends between its claim and its record.
     */
    private static final java.time.Duration CLAIM_SWEEP_GRACE = java.time.Duration.ofMinutes(2);
    private long lastClaimSweep = System.nanoTime();

    /** A sweep reads every claim and every record key of the cluster: once per grace, not every pass. */
    private void sweepClaimsWhenDue() {
        long now = System.nanoTime();
        if (now - lastClaimSweep < CLAIM_SWEEP_GRACE.toNanos()) {
            return;
        }
        lastClaimSweep = now;
        int swept = persistence.claims().sweep(CLAIM_SWEEP_GRACE);
        if (swept > 0) {
            log.info("event=claims-swept count={}", swept);
        }
    }

    private void reconcileQuietly() {
        if (!drain.enter()) {
            return;
        }
        long start = System.nanoTime();
        try {
            if (claiming != null) {
                claiming.forgetForeign();
                sweepClaimsWhenDue();
            }
            Reconciler.Report r = reconciler.pass();
            meters.reconcilePass("periodic", java.time.Duration.ofNanos(System.nanoTime() - start), r);
            String line = "event=reconcile-pass repaired={} rolled_forward={} rolled_back={} released={} expired={} failed={} busy={} "
                    + "orphans_removed={}";
            Object[] values = {r.repaired(), r.rolledForward(), r.rolledBack(), r.released(), r.expired(), r.failed(), r.busy(),
                    r.orphansRemoved()};
            if (r.repaired() + r.rolledForward() + r.rolledBack() + r.released() + r.expired() + r.orphansRemoved() > 0) {
                log.info(line, values);
            } else if (r.failed() + r.busy() > 0) {
                // Only failing again (a box still down) is no news: the reconciler said so when it started.
                log.debug(line, values);
            }
        } catch (RuntimeException e) {
            meters.reconcilePassFailed("periodic", java.time.Duration.ofNanos(System.nanoTime() - start));
            log.warn("event=reconcile-pass-failed reason=\"{}\"", e.getMessage());
        } finally {
            drain.exit();
        }
    }

    private Collection<Connection> monitorSnapshot() {
        return table.all().stream().map(EnsmRuntime::parse).toList();
    }

    private static Connection parse(StoredConnection c) {
        try {
            return Connection.parseFrom(c.connection());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored connection " + c.id() + " is not a valid Connection", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Which replica serves which endpoint. */
    public Ownership ownership() {
        return persistence.ownership();
    }

    /** Whether this replica answers for the endpoint now. */
    public boolean serves(String endpoint) {
        return served.serves(endpoint);
    }

    public ConnectionTable connections() {
        return table;
    }

    public Reconciler.Report recovery() {
        return recovery;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** The SVID in use, when ensm runs with mutual TLS. */
    public Optional<SvidInfo> svid() {
        return security == null ? Optional.empty() : Optional.of(security.identity().current());
    }

    /** The endpoint sources' sync, for tests that drive it. */
    public EndpointSync endpointSync() {
        return sync;
    }

    /**
     * What health checks report.
     *
     * @param quarantinedRecords store records found unreadable at start and set aside
     * @param orphansKept        connection ids whose marked objects the orphan policy left in place
     * @param storeFailure       why the last write to the store failed, empty while writes succeed
     * @param devices            each endpoint's device or VIM, as the last operation on it found it
     */
    public record Status(boolean serving, boolean registered, String registryError, int connections, int monitorSubscribers,
                         int quarantinedRecords, int orphansKept, String storeFailure, Map<String, DeviceStates.DeviceState> devices) {}

    public Status status() {
        return new Status(!server.isShutdown(), publisher != null && publisher.allRegistered(),
                publisher == null ? "" : publisher.lastError().orElse(""), table.size(), monitor.subscribers(),
                table.quarantined().size(), reconciler.orphansKept().size(), table.writeFailure().orElse(""), meters.devices().all());
    }

    /** Registration state of every service and endpoint ensm keeps registered. */
    public List<io.ensm.core.registry.RegistrationStatus> registrations() {
        return publisher == null ? List.of() : publisher.status();
    }

    @Override
    public void close() {
        stopping = true;
        log.info("event=ensm-stopping connections={}", table.size());
        sync.close();
        if (publisher != null) {
            publisher.close();
        }
        health.enterTerminalState();
        drainWork();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        if (registryChannel != null) {
            registryChannel.shutdownNow();
        }
        if (embeddedRegistry != null) {
            embeddedRegistry.close();
        }
        scheduler.shutdownNow();
        registryScheduler.shutdownNow();
        timers.close();
        callExecutor.shutdownNow();
        handovers.shutdownNow();
        closeAll(catalog.endpoints().stream().toList(), catalog.forwarder().orElse(null));
        table.close(settings.shutdownTimeout());
        persistence.close();
        log.info("event=ensm-stopped");
    }

    /**
     * Refuses new work, then waits (up to {@code ensm.shutdown-timeout}) for the calls, expiry
     * closes and reconcile passes in flight, so none is cut off between device and store. What is
     * still running after the wait is cut off as by a crash: its PENDING or RELEASING record is
     * finished by the next start.
     */
    private void drainWork() {
        int inFlight = drain.close();
        log.info("event=ensm-draining in_flight={} timeout={}", inFlight, settings.shutdownTimeout());
        int left = drain.awaitIdle(settings.shutdownTimeout());
        if (left == 0) {
            log.info("event=ensm-drained");
        } else {
            log.warn("event=ensm-drain-timeout in_flight={} timeout={} reason=\"work still running is cut off; the next start"
                    + " rolls its stored records back or forward\"", left, settings.shutdownTimeout());
        }
    }

    private static void closeAll(List<ExposedEndpoint> endpoints, Forwarder forwarder) {
        for (ExposedEndpoint e : endpoints) {
            try {
                e.backend().close();
            } catch (RuntimeException ex) {
                log.warn("event=backend-close-failed endpoint={} reason=\"{}\"", e.name(), ex.getMessage());
            }
        }
        if (forwarder != null) {
            try {
                forwarder.close();
            } catch (RuntimeException ex) {
                log.warn("event=forwarder-close-failed reason=\"{}\"", ex.getMessage());
            }
        }
    }
}
