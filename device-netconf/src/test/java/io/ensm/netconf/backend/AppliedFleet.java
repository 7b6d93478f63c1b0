package io.ensm.netconf.backend;

import io.ensm.api.connection.Connection;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Connections ensm holds as APPLIED on netconf endpoints, as its start-up finds them after a
 * restart: the store's records, and each one's sub-interface on its box written by the endpoint's
 * own backend, so that a read-back finds exactly what it expects.
 */
public final class AppliedFleet {

    private AppliedFleet() {}

    /** An endpoint of the fleet: its name, the VLAN pool of its uplink and the first VLAN id it hands out. */
    public record Endpoint(String name, String vlanPool, int firstVlan) {}

    /**
     * {@code count} fabric-VLAN connections of {@code service}, dealt round robin over the
     * endpoints: the k-th of an endpoint has VLAN {@code firstVlan + k}; the i-th connection has the
     * i-th address pair of {@code cidr4} (an IPv4 prefix given as network address and length).
     */
    public static List<StoredConnection> connections(int count, String service, String cidr4, List<Endpoint> endpoints,
                                                     Instant expires) {
        int slash = cidr4.indexOf('/');
        long network = ipv4(cidr4.substring(0, slash));
        long size = 1L << (32 - Integer.parseInt(cidr4.substring(slash + 1)));
        if (2L * count + 2 > size) {
            throw new IllegalArgumentException(cidr4 + " holds fewer than " + count + " address pairs");
        }
        List<StoredConnection> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Endpoint e = endpoints.get(i % endpoints.size());
            int vlan = e.firstVlan() + i / endpoints.size();
            String id = String.format("fleet-%s-%05d", e.name(), i);
            // The address pool's slot i: network + 1 + 2i for the endpoint, the next for the client.
            Allocation a = new Allocation(List.of(text(network + 1 + 2L * i) + "/32"), List.of(text(network + 2 + 2L * i) + "/32"),
                    e.vlanPool(), vlan, 0);
            byte[] reply = Connection.newBuilder().setId(id).setNetworkService(service).build().toByteArray();
            out.add(new StoredConnection(id, e.name(), service, Phase.APPLIED, PlanKind.FABRIC_VLAN, a, null, 1500,
                    new Attachment.FabricVlan(vlan), expires, reply));
        }
        return out;
    }

    /**
     * Writes every connection's sub-interface through its endpoint's backend, {@code wave} at a
     * time from as many virtual threads, so that each box's group committer batches them.
     */
    public static void land(List<ExposedEndpoint> endpoints, List<StoredConnection> connections, int wave) throws Exception {
        Map<String, ExposedEndpoint> byName = endpoints.stream().collect(Collectors.toMap(ExposedEndpoint::name, Function.identity()));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int from = 0; from < connections.size(); from += wave) {
                List<Future<?>> done = new ArrayList<>();
                for (StoredConnection c : connections.subList(from, Math.min(connections.size(), from + wave))) {
                    ExposedEndpoint e = byName.get(c.endpoint());
                    done.add(threads.submit(() -> {
                        try {
                            return e.backend().provision(Provision.intentOf(c, e));
                        } catch (BackendException ex) {
                            throw new IllegalStateException("landing connection " + c.id() + ": " + ex.getMessage(), ex);
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
        }
    }

    private static long ipv4(String dotted) {
        long v = 0;
        for (String part : dotted.split("\\.")) {
            v = (v << 8) | Integer.parseInt(part);
        }
        return v;
    }

    private static String text(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
