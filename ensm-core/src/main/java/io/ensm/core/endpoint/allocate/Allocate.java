package io.ensm.core.endpoint.allocate;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.connectioncontext.Route;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.alloc.ClaimsRefused;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.negotiate.VxlanParameters;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.store.StoredConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.List;
import java.util.function.Predicate;

/**
 * Gives the connection its addresses, VLAN id and VNI, and writes them into the reply as NSM's
 * point-to-point IPAM and mechanism servers do: the endpoint's address in {@code dst_ip_addrs},
 * the client's in {@code src_ip_addrs}, each side routed to the other (on a segment: the
 * client's one address with the subnet's length, the gateway as destination, the segment's routes
 * through the gateway); VXLAN {@code dst_*} and
 * {@code vni}, or VLAN {@code vlan-id}. A refresh keeps what the connection has. New allocations
 * are given back when the rest of the chain fails; Close gives them back after the rest succeeded.
 */
public final class Allocate implements Element {
    public static final CallContext.Key<Allocation> ALLOCATION = CallContext.Key.of("allocation", Allocation.class);
    public static final CallContext.Key<Integer> MTU = CallContext.Key.of("mtu", Integer.class);
    public static final String VLAN_ID = "vlan-id";
    /** Outer IPv4 (20), UDP (8) and VXLAN (8) headers and the inner Ethernet header (14). */
    public static final int VXLAN_OVERHEAD = 50;
    /** New allocations tried when the first record of a connection finds its values held elsewhere. */
    static final int CLAIM_ATTEMPTS = 32;

    private final Allocator allocator;
    private final Forwarder.ForwarderInfo forwarder;
    private final int defaultMtu;
    private final Predicate<String> stillStored;

    /**
     * @param forwarder   where the cluster leg terminates, or null without a forwarder
     * @param stillStored whether a connection id is still stored after a failed call: when the
     *                    rest of the chain forgot it, everything it held is given back
     */
    public Allocate(Allocator allocator, Forwarder.ForwarderInfo forwarder, int defaultMtu, Predicate<String> stillStored) {
        this.allocator = allocator;
        this.forwarder = forwarder;
        this.defaultMtu = defaultMtu;
        this.stillStored = stillStored;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Connection connection = request.getConnection();
        ServiceSpec service = chain.context().get(SelectEndpoint.SERVICE);
        ExposedEndpoint endpoint = chain.context().get(SelectEndpoint.ENDPOINT);
        PlanKind plan = chain.context().get(Negotiate.PLAN);
        BackendCapabilities caps = endpoint.backend().capabilities();
        StoredConnection known = chain.context().find(LoadKnown.KNOWN).orElse(null);

        boolean reuse = known != null && known.plan() == plan;
        Allocation allocation = reuse ? known.allocation() : allocate(connection, service, caps, plan, known == null);
        for (int attempt = 1; ; attempt++) {
            try {
                return proceed(request, chain, allocation, service, caps, plan, known, reuse);
            } catch (ClaimsRefused e) {
                if (known != null) {
                    throw e;
                }
                // Only a new connection's first record carries claims: nothing of it was written.
                int vni = callerVni(connection.getMechanism(), plan);
                try {
                    allocator.refused(connection.getId(), service.name(), allocation, e.refused(), vni);
                } catch (StatusRuntimeException held) {
                    throw Failures.prefixed("mechanism VXLAN parameter vni", held);
                }
                if (attempt >= CLAIM_ATTEMPTS) {
                    throw Status.RESOURCE_EXHAUSTED.withDescription("service " + service.name() + ": every value tried in "
                            + CLAIM_ATTEMPTS + " attempts is held by another ensm replica").asRuntimeException();
                }
                allocation = allocate(connection, service, caps, plan, true);
            }
        }
    }

    private Connection proceed(NetworkServiceRequest request, Chain chain, Allocation allocation, ServiceSpec service,
                               BackendCapabilities caps, PlanKind plan, StoredConnection known, boolean reuse) {
        Connection connection = request.getConnection();
        int mtu = switch (plan) {
            case FORWARDER_VXLAN -> forwarder != null ? forwarder.mtu() : defaultMtu;
            // The caller's tunnel ends on the box: its frames lose what VXLAN over IPv4 adds.
            case DEVICE_VXLAN -> defaultMtu - VXLAN_OVERHEAD;
            case FABRIC_VLAN -> defaultMtu;
        };
        chain.context().put(ALLOCATION, allocation);
        chain.context().put(MTU, mtu);
        Connection filled = connection.toBuilder()
                .setMechanism(mechanism(connection.getMechanism(), plan, allocation, caps, mtu))
                .setContext(context(connection.getContext(), allocation, service.segment(), mtu))
                .build();
        String id = connection.getId();
        Connection reply;
        try {
            reply = chain.proceed(request.toBuilder().setConnection(filled).build());
        } catch (RuntimeException e) {
            if (e instanceof ClaimsRefused && known == null) {
                throw e; // nothing was written: the caller gives the values back and tries others
            }
            if (!stillStored.test(id)) {
                // The connection is gone: give back all it held, old and new.
                allocator.release(id, service.name(), allocation);
                if (known != null) {
                    allocator.release(id, known.service(), known.allocation());
                }
            } else if (!reuse && known != null) {
                allocator.release(id, service.name(), surplus(allocation, known.allocation()));
            }
            // A new connection whose intent stays stored keeps its values: the roll-back of that record gives them back.
            throw e;
        }
        if (known != null && !reuse) {
            // The plan changed: drop what the old plan held and the new one does not use.
            allocator.release(id, known.service(), surplus(known.allocation(), allocation));
        }
        return reply;
    }

    /** {@code fresh}: the connection has no record yet, so its claims may go with its first one. */
    private Allocation allocate(Connection connection, ServiceSpec service, BackendCapabilities caps, PlanKind plan, boolean fresh) {
        int vni = callerVni(connection.getMechanism(), plan);
        List<String> excluded = connection.getContext().getIpContext().getExcludedPrefixesList();
        try {
            return fresh ? allocator.allocateNew(connection.getId(), service, caps, plan, excluded, vni)
                    : allocator.allocate(connection.getId(), service, caps, plan, excluded, vni);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (vni != 0 && (code == Status.Code.INVALID_ARGUMENT || code == Status.Code.ALREADY_EXISTS)) {
                throw Failures.prefixed("mechanism VXLAN parameter vni", e);
            }
            throw e;
        }
    }

    /**
     * The VNI the caller's mechanism already carries for a tunnel ending on the box (NSM's vni
     * server keeps it on a refresh or a heal), 0 for none or another plan: the box's VXLAN
     * statement must match what the caller's forwarder already tunnels with.
     */
    static int callerVni(Mechanism m, PlanKind plan) {
        String text = m.getParametersOrDefault(VxlanParameters.VNI, "");
        if (plan != PlanKind.DEVICE_VXLAN || text.isEmpty() || text.equals("0")) {
            return 0;
        }
        try {
            int vni = Integer.parseInt(text);
            if (vni > 0) {
                return vni;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw Failures.invalid("mechanism VXLAN parameter vni '" + text + "' is not a positive number");
    }

    /**
     * What {@code held} has that {@code kept} does not use. Pools are keyed by connection id, so a
     * part both use (the same addresses, a VLAN from the same pool) is never in the surplus.
     */
    static Allocation surplus(Allocation held, Allocation kept) {
        boolean addrs = !held.endpointAddrs().isEmpty() && kept.endpointAddrs().isEmpty();
        boolean vlan = held.vlanId() != 0 && (kept.vlanId() == 0 || !held.vlanPool().equals(kept.vlanPool()));
        boolean vni = held.vni() != 0 && kept.vni() == 0;
        return new Allocation(addrs ? held.endpointAddrs() : List.of(), addrs ? held.clientAddrs() : List.of(),
                vlan ? held.vlanPool() : "", vlan ? held.vlanId() : 0, vni ? held.vni() : 0);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        StoredConnection known = chain.context().get(LoadKnown.KNOWN);
        chain.proceedClose(connection);
        allocator.release(known.id(), known.service(), known.allocation());
    }

    private Mechanism mechanism(Mechanism chosen, PlanKind plan, Allocation a, BackendCapabilities caps, int mtu) {
        Mechanism.Builder m = chosen.toBuilder();
        switch (plan) {
            case FORWARDER_VXLAN -> m.putParameters(VxlanParameters.DST_IP, forwarder.localIp())
                    .putParameters(VxlanParameters.DST_PORT, Integer.toString(forwarder.vxlanPort()))
                    .putParameters(VxlanParameters.VNI, Integer.toString(a.vni()))
                    .putParameters(VxlanParameters.MTU, Integer.toString(mtu));
            case DEVICE_VXLAN -> m.putParameters(VxlanParameters.DST_IP, caps.deviceVxlanIp())
                    .putParameters(VxlanParameters.DST_PORT, Integer.toString(caps.deviceVxlanPort()))
                    .putParameters(VxlanParameters.VNI, Integer.toString(a.vni()))
                    .putParameters(VxlanParameters.MTU, Integer.toString(mtu));
            case FABRIC_VLAN -> m.putParameters(VLAN_ID, Integer.toString(a.vlanId()));
        }
        return m.build();
    }

    private static ConnectionContext context(ConnectionContext asked, Allocation a, Segment segment, int mtu) {
        IPContext.Builder ip = asked.getIpContext().toBuilder()
                .clearSrcIpAddrs().clearDstIpAddrs().clearSrcRoutes().clearDstRoutes()
                .addAllSrcIpAddrs(a.clientAddrs())
                .addAllDstIpAddrs(a.endpointAddrs());
        if (segment == null) {
            routes(a.endpointAddrs()).forEach(ip::addSrcRoutes);
            routes(a.clientAddrs()).forEach(ip::addDstRoutes);
        } else {
            // On a segment the subnet is on-link on both sides; what lies beyond goes through the gateway.
            gatewayRoutes(segment, a.endpointAddrs()).forEach(ip::addSrcRoutes);
        }
        return asked.toBuilder().setIpContext(ip).setMTU(mtu).build();
    }

    /** Each configured route through the gateway of its family. */
    private static List<Route> gatewayRoutes(Segment segment, List<String> gateways) {
        List<Route> out = new java.util.ArrayList<>();
        for (String prefix : segment.routes()) {
            boolean v6 = prefix.contains(":");
            gateways.stream().map(g -> g.substring(0, g.indexOf('/'))).filter(g -> g.contains(":") == v6).findFirst()
                    .ifPresent(g -> out.add(Route.newBuilder().setPrefix(prefix).setNextHop(g).build()));
        }
        return out;
    }

    private static List<Route> routes(List<String> addrs) {
        return addrs.stream().map(p -> Route.newBuilder().setPrefix(p).build()).toList();
    }
}
