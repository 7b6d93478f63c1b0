package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.connectioncontext.Route;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/** Prints a Connection for people. */
public final class ConnectionText {

    private ConnectionText() {
    }

    public static void print(Connection c, PrintWriter out) {
        field(out, "id", c.getId());
        field(out, "service", Text.orDash(c.getNetworkService()));
        field(out, "endpoint", Text.orDash(c.getNetworkServiceEndpointName()));
        field(out, "state", c.getState().name());
        field(out, "payload", Text.orDash(c.getPayload()));
        field(out, "labels", Text.pairs(c.getLabelsMap()));
        if (c.hasMechanism()) {
            field(out, "mechanism", c.getMechanism().getType() + " (" + Text.orDash(c.getMechanism().getCls()) + ")");
            field(out, "parameters", Text.pairs(c.getMechanism().getParametersMap()));
        } else {
            field(out, "mechanism", "-");
        }
        ConnectionContext ctx = c.getContext();
        IPContext ip = ctx.getIpContext();
        field(out, "src addresses", list(ip.getSrcIpAddrsList()));
        field(out, "dst addresses", list(ip.getDstIpAddrsList()));
        field(out, "src routes", routes(ip.getSrcRoutesList()));
        field(out, "dst routes", routes(ip.getDstRoutesList()));
        if (!ip.getExcludedPrefixesList().isEmpty()) {
            field(out, "excluded", list(ip.getExcludedPrefixesList()));
        }
        if (ctx.hasEthernetContext() && ctx.getEthernetContext().getVlanTag() != 0) {
            field(out, "vlan tag", Integer.toString(ctx.getEthernetContext().getVlanTag()));
        }
        field(out, "MTU", ctx.getMTU() == 0 ? "-" : Integer.toUnsignedString(ctx.getMTU()));
        field(out, "path", "index " + c.getPath().getIndex());
        List<PathSegment> segments = c.getPath().getPathSegmentsList();
        for (int i = 0; i < segments.size(); i++) {
            PathSegment s = segments.get(i);
            out.printf("  %s[%d] %s  id=%s  expires=%s%n", i == c.getPath().getIndex() ? "*" : " ", i,
                    Text.orDash(s.getName()), Text.orDash(s.getId()), Text.timestamp(s.getExpires()));
        }
        out.flush();
    }

    private static void field(PrintWriter out, String name, String value) {
        out.printf("%-14s %s%n", name + ":", value);
    }

    private static String list(List<String> values) {
        return values.isEmpty() ? "-" : String.join(", ", values);
    }

    private static String routes(List<Route> routes) {
        if (routes.isEmpty()) {
            return "-";
        }
        return routes.stream()
                .map(r -> r.getNextHop().isEmpty() ? r.getPrefix() : r.getPrefix() + " via " + r.getNextHop())
                .collect(Collectors.joining(", "));
    }
}
