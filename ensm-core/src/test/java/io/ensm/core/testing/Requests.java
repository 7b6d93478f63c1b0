package io.ensm.core.testing;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.networkservice.NetworkServiceRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Requests as an NSC sends them: the connection id is the NSC's segment id, the path is
 * [{name: "nsc", id, expires}] at index 0, and the mechanism preferences default to one VXLAN with
 * src_ip 192.0.2.1 and src_port 4789.
 */
public final class Requests {
    public static final String NSC = "nsc";
    public static final String CLIENT_IP = "192.0.2.1";
    public static final int CLIENT_PORT = 4789;
    public static final String SERVICE = "fabric-breakout";

    private Requests() {}

    public static Builder request() {
        return new Builder();
    }

    public static NetworkServiceRequest simple() {
        return request().build();
    }

    public static Mechanism vxlan() {
        return vxlan(CLIENT_IP, CLIENT_PORT);
    }

    public static Mechanism vxlan(String srcIp, int srcPort) {
        return Mechanism.newBuilder().setCls("REMOTE").setType("VXLAN")
                .putParameters("src_ip", srcIp).putParameters("src_port", Integer.toString(srcPort)).build();
    }

    public static Mechanism vlan() {
        return Mechanism.newBuilder().setCls("REMOTE").setType("VLAN").build();
    }

    public static Mechanism mechanism(String type) {
        return Mechanism.newBuilder().setCls("REMOTE").setType(type).build();
    }

    /**
     * The refresh an NSC sends after a reply: the reply's connection (its id and index, both
     * segments) with the mechanism in use, the same preferences, and a new expiry of its segment.
     */
    public static NetworkServiceRequest refreshOf(NetworkServiceRequest original, Connection reply, Instant expires) {
        Path path = reply.getPath();
        Path renewed = path.toBuilder().setPathSegments(0, path.getPathSegments(0).toBuilder().setExpires(timestamp(expires))).build();
        return original.toBuilder().setConnection(reply.toBuilder().setPath(renewed)).build();
    }

    /** The Close an NSC sends for a reply it got. */
    public static Connection closeOf(Connection reply) {
        return reply;
    }

    public static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    public static final class Builder {
        private String id = UUID.randomUUID().toString();
        private String service = SERVICE;
        private String endpoint = "";
        private String payload = "";
        private Instant expires = Instant.parse("2030-01-01T00:10:00Z");
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<Mechanism> mechanisms = new ArrayList<>(List.of(vxlan()));
        private final List<String> excluded = new ArrayList<>();

        public Builder id(String nscId) {
            this.id = nscId;
            return this;
        }

        public Builder service(String name) {
            this.service = name;
            return this;
        }

        public Builder endpoint(String name) {
            this.endpoint = name;
            return this;
        }

        public Builder payload(String wire) {
            this.payload = wire;
            return this;
        }

        /** The NSC segment's expires; null sends none. */
        public Builder expires(Instant at) {
            this.expires = at;
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public Builder mechanisms(Mechanism... preferences) {
            mechanisms.clear();
            mechanisms.addAll(List.of(preferences));
            return this;
        }

        public Builder excluded(String... prefixes) {
            excluded.addAll(List.of(prefixes));
            return this;
        }

        public Connection connection() {
            PathSegment.Builder nsc = PathSegment.newBuilder().setName(NSC).setId(id);
            if (expires != null) {
                nsc.setExpires(timestamp(expires));
            }
            return Connection.newBuilder()
                    .setId(id)
                    .setNetworkService(service)
                    .setNetworkServiceEndpointName(endpoint)
                    .setPayload(payload)
                    .putAllLabels(labels)
                    .setPath(Path.newBuilder().setIndex(0).addPathSegments(nsc))
                    .setContext(ConnectionContext.newBuilder()
                            .setIpContext(IPContext.newBuilder().addAllExcludedPrefixes(excluded)))
                    .build();
        }

        public NetworkServiceRequest build() {
            return NetworkServiceRequest.newBuilder().setConnection(connection()).addAllMechanismPreferences(mechanisms).build();
        }
    }
}
