package io.ensm.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.connectioncontext.Route;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.testing.MutableClock;

import java.time.Instant;
import java.util.List;

/**
 * Builds NSM requests and connections field by field from fuzzer input. Each field is mostly one
 * of the values ensm knows (its services, endpoints, mechanism types, addresses of its pools), so
 * the fuzzer gets past selection and negotiation, and sometimes arbitrary text or numbers.
 */
final class FuzzedRequests {
    private static final List<String> MECHANISMS = List.of("VXLAN", "VLAN", "vxlan", "KERNEL", "MEMIF", "");
    private static final List<String> SEGMENT_NAMES = List.of("nsc", "nsmgr", "forwarder", FuzzWorld.NAME);
    private static final List<String> IDS = List.of("nsc-1", "own-1", "mgr-1", "");
    private static final List<String> LABEL_KEYS = List.of("app", "site", "role", "nodeName");
    private static final List<String> LABEL_VALUES = List.of("db", "lab", "edge", "core", "");
    private static final List<String> ADDRESSES = List.of("192.0.2.1", "2001:db8::1", "172.16.0.1", "0.0.0.0", "::",
            "256.1.1.1", "192.0.2.1%eth0", "");
    private static final List<String> PREFIXES = List.of("172.16.0.0/30", "172.16.0.0/24", "10.10.0.0/29", "fd00:16::/124",
            "0.0.0.0/0", "::/0", "172.16.0.1", "10.0.0.0/33", "fd00::/129", "");
    private static final List<String> PORTS = List.of("4789", "0", "65535", "65536", "-1", "", "0x12b5");
    private static final List<String> PAYLOADS = List.of("ETHERNET", "IP", "ethernet", "MPLS", "");

    private FuzzedRequests() {}

    static NetworkServiceRequest request(FuzzedDataProvider d) {
        NetworkServiceRequest.Builder r = NetworkServiceRequest.newBuilder().setConnection(connection(d));
        int preferences = d.consumeInt(0, 3);
        for (int i = 0; i < preferences; i++) {
            r.addMechanismPreferences(mechanism(d));
        }
        return r.build();
    }

    static Connection connection(FuzzedDataProvider d) {
        Connection.Builder c = Connection.newBuilder()
                .setNetworkService(pick(d, FuzzWorld.SERVICES))
                .setPath(path(d));
        if (d.consumeBoolean()) {
            c.setNetworkServiceEndpointName(pick(d, FuzzWorld.ENDPOINTS));
        }
        if (d.consumeBoolean()) {
            c.setPayload(pick(d, PAYLOADS));
        }
        int labels = d.consumeInt(0, 3);
        for (int i = 0; i < labels; i++) {
            c.putLabels(pick(d, LABEL_KEYS), pick(d, LABEL_VALUES));
        }
        Path path = c.getPath();
        boolean consistentId = d.consumeBoolean() && path.getIndex() >= 0 && path.getIndex() < path.getPathSegmentsCount();
        c.setId(consistentId ? path.getPathSegments(path.getIndex()).getId() : pick(d, IDS));
        if (d.consumeBoolean()) {
            c.setMechanism(mechanism(d));
        }
        if (d.consumeBoolean()) {
            c.setContext(ConnectionContext.newBuilder().setIpContext(ipContext(d)).setMTU(d.consumeInt()));
        }
        return c.build();
    }

    /** The caller's changes to an accepted connection before it refreshes: one field at a time. */
    static NetworkServiceRequest changed(FuzzedDataProvider d, NetworkServiceRequest original, Connection reply) {
        Connection.Builder c = reply.toBuilder();
        NetworkServiceRequest.Builder r = original.toBuilder();
        switch (d.consumeInt(0, 7)) {
            case 0 -> c.setNetworkService(pick(d, FuzzWorld.SERVICES));
            case 1 -> c.setNetworkServiceEndpointName(pick(d, FuzzWorld.ENDPOINTS));
            case 2 -> c.setMechanism(mechanism(d));
            case 3 -> c.clearMechanism().putLabels(pick(d, LABEL_KEYS), pick(d, LABEL_VALUES));
            case 4 -> r.clearMechanismPreferences().addMechanismPreferences(mechanism(d));
            case 5 -> c.setContext(reply.getContext().toBuilder().setIpContext(ipContext(d)));
            case 6 -> c.setPayload(pick(d, PAYLOADS));
            default -> {
                Path p = reply.getPath();
                int i = d.consumeInt(0, p.getPathSegmentsCount() - 1);
                c.setPath(p.toBuilder().setPathSegments(i, p.getPathSegments(i).toBuilder().setExpires(timestamp(d))));
            }
        }
        return r.setConnection(c).build();
    }

    private static Path path(FuzzedDataProvider d) {
        int count = d.consumeInt(0, 3);
        Path.Builder p = Path.newBuilder();
        for (int i = 0; i < count; i++) {
            PathSegment.Builder s = PathSegment.newBuilder().setName(pick(d, SEGMENT_NAMES)).setId(pick(d, IDS));
            if (d.consumeBoolean()) {
                s.setExpires(timestamp(d));
            }
            if (d.consumeBoolean()) {
                s.setToken(d.consumeString(32));
            }
            p.addPathSegments(s);
        }
        // mostly a valid index; sometimes any number, negative ones included (uint32 on the wire)
        p.setIndex(d.consumeBoolean() ? d.consumeInt() : d.consumeInt(0, Math.max(0, count - 1)));
        return p.build();
    }

    private static Mechanism mechanism(FuzzedDataProvider d) {
        Mechanism.Builder m = Mechanism.newBuilder().setCls(d.consumeBoolean() ? "REMOTE" : d.consumeString(8))
                .setType(pick(d, MECHANISMS));
        if (d.consumeBoolean()) {
            m.putParameters("src_ip", pick(d, ADDRESSES));
        }
        if (d.consumeBoolean()) {
            m.putParameters("src_port", pick(d, PORTS));
        }
        int extra = d.consumeInt(0, 2);
        for (int i = 0; i < extra; i++) {
            m.putParameters(pick(d, List.of("vni", "dst_ip", "vlan-id", "MTU")), d.consumeString(12));
        }
        return m.build();
    }

    private static IPContext ipContext(FuzzedDataProvider d) {
        IPContext.Builder ip = IPContext.newBuilder();
        int excluded = d.consumeInt(0, 3);
        for (int i = 0; i < excluded; i++) {
            ip.addExcludedPrefixes(pick(d, PREFIXES));
        }
        if (d.consumeBoolean()) {
            ip.addSrcIpAddrs(pick(d, PREFIXES));
        }
        if (d.consumeBoolean()) {
            ip.addDstRoutes(Route.newBuilder().setPrefix(pick(d, PREFIXES)).setNextHop(pick(d, ADDRESSES)));
        }
        return ip.build();
    }

    /** Around the world's clock mostly (past, soon, within and beyond the maximum lifetime), sometimes any value. */
    private static Timestamp timestamp(FuzzedDataProvider d) {
        if (d.consumeBoolean()) {
            return Timestamp.newBuilder().setSeconds(d.consumeLong()).setNanos(d.consumeInt()).build();
        }
        Instant at = MutableClock.START.plusSeconds(d.consumeLong(-3_600, 3 * 86_400));
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(d.consumeInt(0, 999_999_999)).build();
    }

    /** One of the known values, or now and then arbitrary text. */
    private static String pick(FuzzedDataProvider d, List<String> known) {
        int i = d.consumeInt(0, known.size());
        return i < known.size() ? known.get(i) : d.consumeString(40);
    }
}
