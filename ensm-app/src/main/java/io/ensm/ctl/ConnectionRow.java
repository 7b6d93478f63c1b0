package io.ensm.ctl;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connectioncontext.IPContext;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** One connection as a row of {@code ensmctl list}. */
final class ConnectionRow {

    static final String[] HEADER = {"ID", "STATE", "SERVICE", "ENDPOINT", "MECHANISM", "VLAN/VNI", "SRC", "DST", "EXPIRES"};

    private ConnectionRow() {
    }

    static String[] of(Connection c) {
        IPContext ip = c.getContext().getIpContext();
        return new String[] {c.getId(), c.getState().name(), Text.orDash(c.getNetworkService()),
                Text.orDash(c.getNetworkServiceEndpointName()),
                c.hasMechanism() ? Text.orDash(c.getMechanism().getType()) : "-",
                tag(c), joined(ip.getSrcIpAddrsList()), joined(ip.getDstIpAddrsList()), Text.timestamp(expires(c))};
    }

    /** The VLAN id or VNI the mechanism carries (NSM's {@code vlan-id} and {@code vni} parameters). */
    static String tag(Connection c) {
        Map<String, String> p = c.getMechanism().getParametersMap();
        if (p.containsKey("vlan-id")) {
            return "vlan " + p.get("vlan-id");
        }
        if (p.containsKey("vni")) {
            return "vni " + p.get("vni");
        }
        int tag = c.getContext().getEthernetContext().getVlanTag();
        return tag == 0 ? "-" : "vlan " + tag;
    }

    /** The earliest expiry on the path: past it, some hop stops honouring the connection. */
    static Timestamp expires(Connection c) {
        return c.getPath().getPathSegmentsList().stream()
                .map(PathSegment::getExpires)
                .filter(t -> t.getSeconds() != 0 || t.getNanos() != 0)
                .min(Comparator.comparingLong(Timestamp::getSeconds).thenComparingInt(Timestamp::getNanos))
                .orElse(Timestamp.getDefaultInstance());
    }

    private static String joined(List<String> values) {
        return values.isEmpty() ? "-" : String.join(",", values);
    }
}
