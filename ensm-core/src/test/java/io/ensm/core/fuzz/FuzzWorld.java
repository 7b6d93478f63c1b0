package io.ensm.core.fuzz;

import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.alloc.AddressPool;
import io.ensm.core.alloc.PoolAllocator;
import io.ensm.core.alloc.VlanPools;
import io.ensm.core.alloc.VniPool;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.monitor.ConnectionMonitor;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceMatch;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.LabelMatchChooser;
import io.ensm.core.runtime.RequestChain;
import io.ensm.core.server.CallContexts;
import io.ensm.core.server.NetworkServiceService;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ensm's request path as the service runs it, on in-memory parts: the chain assembled by
 * {@link RequestChain} (as the runtime does) with real pools and endpoint selection, recording
 * backends and forwarder, the in-memory store, and the NSM API served in-process through
 * {@link NetworkServiceService}, so the status mapping is the service's own. Four services and
 * endpoints cover every plan, dual-stack and address-less services, and registry match rules.
 */
final class FuzzWorld implements AutoCloseable {
    static final String NAME = "ensm-1";
    static final String VLAN_POOL = "uplink:" + RecordingBackend.UPLINK;
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);
    static final Duration MAX_LIFETIME = Duration.ofHours(24);

    /** Service and endpoint names the structured target picks from, besides arbitrary ones. */
    static final List<String> SERVICES = List.of("fabric-breakout", "routed", "bare");
    static final List<String> ENDPOINTS = List.of("router-1", "router-2", "core-1", "bare-1");

    final MutableClock clock = new MutableClock();
    final InMemoryConnectionStore store = new InMemoryConnectionStore();
    final ConnectionTable table = new ConnectionTable(store);
    final RecordingForwarder forwarder = new RecordingForwarder();
    final Map<String, RecordingBackend> backends = new LinkedHashMap<>();
    final Map<String, AddressPool> addressPools = new LinkedHashMap<>();
    final VlanPools vlanPools = new VlanPools();
    final VniPool vniPool = new VniPool(1, 4096);
    final ExpiryTimers timers = new ExpiryTimers(clock);
    final ConnectionMonitor monitor;
    final SerializeById serializer = new SerializeById(Duration.ofSeconds(5));
    final Endpoint endpoint;
    final AtomicInteger events = new AtomicInteger();
    private final Server server;
    private final ManagedChannel channel;
    final NetworkServiceGrpc.NetworkServiceBlockingStub client;

    FuzzWorld() {
        List<ServiceSpec> services = List.of(
                new ServiceSpec("fabric-breakout", Payload.ETHERNET, List.of("172.16.0.0/24", "fd00:16::/120"), List.of()),
                // IP payload with NSM match rules: clients labelled app=db go to role=core endpoints only
                new ServiceSpec("routed", Payload.IP, List.of("10.10.0.0/28"),
                        List.of(new ServiceMatch(Map.of("app", "db"), List.of(Map.of("role", "core")), false, Map.of()),
                                new ServiceMatch(Map.of(), List.of(), true, Map.of()))),
                new ServiceSpec("bare", Payload.ETHERNET, List.of(), List.of()));
        backends.put("router-1", RecordingBackend.serving(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN));
        backends.put("router-2", RecordingBackend.serving(PlanKind.DEVICE_VXLAN, PlanKind.FABRIC_VLAN));
        backends.put("core-1", RecordingBackend.serving(PlanKind.FABRIC_VLAN));
        backends.put("bare-1", RecordingBackend.serving(PlanKind.FORWARDER_VXLAN));
        Map<String, EndpointSpec> specs = Map.of(
                "router-1", new EndpointSpec("router-1", "fabric-breakout", Map.of("site", "lab")),
                "router-2", new EndpointSpec("router-2", "fabric-breakout", Map.of("site", "edge")),
                "core-1", new EndpointSpec("core-1", "routed", Map.of("role", "core")),
                "bare-1", new EndpointSpec("bare-1", "bare", Map.of()));
        List<ExposedEndpoint> endpoints = ENDPOINTS.stream().map(n -> new ExposedEndpoint(specs.get(n), backends.get(n))).toList();
        for (ServiceSpec s : services) {
            if (!s.cidrs().isEmpty()) {
                addressPools.put(s.name(), new AddressPool(s.name(), s.cidrs()));
            }
        }
        backends.values().forEach(b -> vlanPools.register(b.capabilities().vlanPool(), b.capabilities().vlans()));
        Catalog catalog = new Catalog(services, endpoints, forwarder);
        monitor = new ConnectionMonitor(List::of);
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), this::count);
        endpoint = RequestChain.assemble(new RequestChain.Parts(NAME, null, null, clock, table, serializer, timers,
                DEFAULT_LIFETIME, MAX_LIFETIME, monitor, new io.ensm.core.endpoint.monitor.ConnectionOwners(table), catalog,
                new LabelMatchChooser(clock),
                new PoolAllocator(addressPools, vlanPools, vniPool), 1500, new Provisioner(forwarder),
                io.ensm.core.spi.StepProbe.NONE));
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name).directExecutor()
                    .addService(ServerInterceptors.intercept(new NetworkServiceService(endpoint), new CallContexts()))
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        client = NetworkServiceGrpc.newBlockingStub(channel);
    }

    private void count(ConnectionEvent e) {
        events.incrementAndGet();
    }

    /** Every stateful part, for comparing before and after a call. */
    WorldState state() {
        return WorldState.of(this);
    }

    /** Clears faults that a rejected call left unconsumed. */
    void heal() {
        backends.values().forEach(b -> b.healed().duringProvision(i -> {}));
        forwarder.healed();
        store.failNextWrites(0, "");
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        timers.close();
    }
}
