package io.ensm.core.endpoint.negotiate;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.store.StoredConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Picks the plan for a connection: walks the caller's mechanism preferences in order and takes
 * the first that one of the endpoint's plans can serve under the service's payload (VXLAN carries
 * ETHERNET only; an IP payload is routed over a VLAN). A refresh keeps the plan it has while the
 * caller still offers its mechanism. A refusal names what was offered and what is supported.
 */
public final class Negotiate implements Element {
    public static final CallContext.Key<PlanKind> PLAN = CallContext.Key.of("plan", PlanKind.class);
    public static final CallContext.Key<VxlanPeer> PEER = CallContext.Key.of("peer", VxlanPeer.class);

    static final String VXLAN = "VXLAN";
    static final String VLAN = "VLAN";
    /** Known NSM mechanisms ensm does not serve, named in refusals so the caller knows why. */
    static final Set<String> UNSUPPORTED = Set.of("KERNEL", "MEMIF", "VFIO", "WIREGUARD", "IPSEC", "SRV6", "NOOP");
    public static final int DEFAULT_VXLAN_PORT = 4789;

    private final PlanFilter planFilter;

    public Negotiate(PlanFilter planFilter) {
        this.planFilter = planFilter;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Connection connection = request.getConnection();
        ServiceSpec service = chain.context().get(SelectEndpoint.SERVICE);
        ExposedEndpoint endpoint = chain.context().get(SelectEndpoint.ENDPOINT);
        Payload payload = payloadOf(connection, service);
        List<PlanKind> plans = planFilter.plansFor(endpoint, payload);

        List<Mechanism> offered = new ArrayList<>(request.getMechanismPreferencesList());
        if (connection.hasMechanism() && !connection.getMechanism().getType().isEmpty()) {
            // A refresh carries the mechanism in use; NSM prefers it over the list.
            offered.addFirst(connection.getMechanism());
        }
        if (offered.isEmpty()) {
            throw Failures.invalid("no mechanism offered: mechanism_preferences is empty; endpoint '" + endpoint.name()
                    + "' supports " + describe(plans));
        }
        Choice choice = choose(offered, plans, chain.context().find(LoadKnown.KNOWN).orElse(null));
        if (choice == null) {
            throw Failures.precondition("no offered mechanism is supported: offered " + typesOf(offered)
                    + "; endpoint '" + endpoint.name() + "' supports " + describe(plans) + " for payload " + payload
                    + unsupportedNote(offered));
        }
        chain.context().put(PLAN, choice.plan);
        if (choice.peer != null) {
            chain.context().put(PEER, choice.peer);
        }
        Mechanism chosen = Mechanism.newBuilder()
                .setCls("REMOTE")
                .setType(choice.plan.mechanismType())
                .putAllParameters(choice.mechanism.getParametersMap())
                .build();
        return chain.proceed(request.toBuilder()
                .setConnection(connection.toBuilder().setMechanism(chosen).setPayload(payload.name()))
                .build());
    }

    @Override
    public void close(Connection connection, Chain chain) {
        chain.proceedClose(connection);
    }

    private static Payload payloadOf(Connection connection, ServiceSpec service) {
        if (connection.getPayload().isEmpty()) {
            return service.payload();
        }
        Payload asked;
        try {
            asked = Payload.parse(connection.getPayload());
        } catch (IllegalArgumentException e) {
            throw Failures.invalid("connection.payload: " + e.getMessage());
        }
        if (asked != service.payload()) {
            throw Failures.invalid("connection.payload " + asked + " does not match network service '" + service.name()
                    + "', which carries " + service.payload());
        }
        return asked;
    }

    private static Choice choose(List<Mechanism> offered, List<PlanKind> plans, StoredConnection known) {
        if (known != null) {
            for (Mechanism m : offered) {
                if (typeOf(m).equals(known.plan().mechanismType()) && plans.contains(known.plan())) {
                    return new Choice(known.plan(), m, peerFor(known.plan(), m));
                }
            }
        }
        for (Mechanism m : offered) {
            String type = typeOf(m);
            for (PlanKind plan : plans) {
                if (plan.mechanismType().equals(type)) {
                    return new Choice(plan, m, peerFor(plan, m));
                }
            }
        }
        return null;
    }

    private static VxlanPeer peerFor(PlanKind plan, Mechanism m) {
        if (!plan.mechanismType().equals(VXLAN)) {
            return null;
        }
        return VxlanParameters.peerOf(m);
    }

    private static String typeOf(Mechanism m) {
        return m.getType().toUpperCase(Locale.ROOT);
    }

    private static List<String> typesOf(List<Mechanism> offered) {
        return offered.stream().map(m -> m.getType().isEmpty() ? "(empty type)" : m.getType()).distinct().toList();
    }

    private static String describe(List<PlanKind> plans) {
        if (plans.isEmpty()) {
            return "nothing";
        }
        return plans.stream().map(p -> p.mechanismType() + " (" + p.name().toLowerCase(Locale.ROOT).replace('_', '-') + ")").toList().toString();
    }

    private static String unsupportedNote(List<Mechanism> offered) {
        List<String> named = offered.stream().map(Negotiate::typeOf).filter(UNSUPPORTED::contains).distinct().toList();
        return named.isEmpty() ? "" : "; ensm does not implement " + named;
    }

    private record Choice(PlanKind plan, Mechanism mechanism, VxlanPeer peer) {}
}
